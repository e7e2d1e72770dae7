import { DEFAULT_RUN_REGION, type RunTarget, type ServingConfig } from "@echogate/common/serving-config";
import type { Diagnostic } from "../core/diagnostics.js";
import type { EnvironmentKind } from "./environment-schema.js";
import { FIREBASE_JSON, hostingBlockFor, type LoadedFirebaseJson } from "./load-firebase-json.js";
import { servingConfigOf } from "./serving-config.js";

// A `run` rewrite in firebase.json is resolved per environment, because each environment deploys
// its own Cloud Run service: firebase.json names either the deploying environment's own service
// or production's (the name a hand-run `firebase deploy` would use), and both become the deploying
// environment's service in its region. A name that is another environment's service is refused:
// production's front end would otherwise call staging's server. Any other name (a service echogate
// does not deploy) is passed through as written.

export interface RunHome {
  environment: string;
  kind: EnvironmentKind;
  /** The Cloud Run service this environment deploys (a preview: its branch's service). */
  service: string;
  regions: readonly string[];
}

interface HostingTarget extends RunHome {
  site: string;
  project: string;
}

interface FirebaseServing {
  /** Undefined when firebase.json has no hosting block for the site (the version gets `{}`). */
  config: ServingConfig | undefined;
  /** Where the block is, for messages. */
  block?: string;
  diagnostics: Diagnostic[];
}

type Resolution = { target: RunTarget } | { owner: RunHome };

function resolveRun(
  run: { serviceId: string; region?: string | undefined },
  self: RunHome,
  all: readonly RunHome[],
): Resolution {
  const own = (): Resolution => ({
    target: {
      serviceId: self.service,
      region: run.region && self.regions.includes(run.region) ? run.region : self.regions[0]!,
    },
  });
  if (run.serviceId === self.service) return own();
  const production = all.filter((home) => home.kind === "production");
  if (self.kind !== "production" && production.some((home) => home.service === run.serviceId)) return own();
  const owner = all.find((home) => home.environment !== self.environment && home.service === run.serviceId);
  if (owner) return { owner };
  return { target: { serviceId: run.serviceId, region: run.region ?? DEFAULT_RUN_REGION } };
}

/**
 * The ServingConfig `target` deploys, from firebase.json, with its `run` rewrites resolved to its
 * own service; a rewrite reaching another environment's service is an error naming the line.
 */
export function firebaseServingFor(
  loaded: LoadedFirebaseJson,
  target: HostingTarget,
  all: readonly RunHome[],
): FirebaseServing {
  const block = loaded.blocks ? hostingBlockFor(loaded, target.site, target.project) : undefined;
  if (!block) return { config: undefined, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const config = servingConfigOf(block.site, (run, index) => {
    const resolved = resolveRun(run, target, all);
    if ("target" in resolved) return resolved.target;
    const { owner } = resolved;
    const rewrite = block.site.rewrites![index]!;
    const pattern = rewrite.regex ?? rewrite.glob ?? rewrite.source;
    const production = all.find(
      (home) => home.kind === "production" && home.environment !== target.environment,
    );
    diagnostics.push({
      severity: "error",
      code: "firebase-json.other-environment-service",
      message: `Can't send ${pattern} on ${target.environment}'s site ${target.site} to Cloud Run service ${run.serviceId}: it is ${owner.environment}'s service, so ${target.environment}'s front end would talk to ${owner.environment}'s server.`,
      ...loaded.locate([...block.path, "rewrites", index, "run", "serviceId"]),
      hint: `Name ${target.service} (${target.environment}'s own service)${production && target.kind !== "production" ? ` or ${production.service} (production's: echogate sends each environment to its own)` : ""}.`,
    });
    return { serviceId: run.serviceId, region: run.region ?? DEFAULT_RUN_REGION };
  });
  return { config, block: `${FIREBASE_JSON} ${block.path.join(".")}`, diagnostics };
}

/** An environment's own service, as `run` rewrites resolve to it. */
export function runHomeOf(
  environment: {
    name: string;
    config: { kind: EnvironmentKind; service: { name: string; regions: readonly string[] } };
  },
  service: string = environment.config.service.name,
): RunHome {
  return {
    environment: environment.name,
    kind: environment.config.kind,
    service,
    regions: environment.config.service.regions,
  };
}
