import { setMaxListeners } from "node:events";
import { environmentKinds } from "../config/environment-schema.js";
import { type LoadedEnvironment, loadEnvironments } from "../config/load-environments.js";
import { type Diagnostic, Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { mapLimit } from "../core/map-limit.js";
import { type ClientsFor, clientPool } from "./collect/cloud-run.js";
import { collectDeclared, collectEnvSchema } from "./collect/declared.js";
import { collectTarget, type TargetSpec } from "./collect/live-target.js";
import { probeWebConfig } from "./collect/probe.js";
import { collectSourceDrift } from "./collect/source-facts.js";
import type { DriftFacts, WebFact } from "./facts.js";

export const DEFAULT_CONCURRENCY = 16;

export interface CollectDriftOptions {
  projectDir: string;
  /** Environment names; default every environment except `preview` templates. */
  environments?: readonly string[];
  /** Source facts only: no cloud calls. */
  sourceOnly?: boolean;
  /** Cloud Run reads and probes in flight at once. */
  concurrency?: number;
  /** Injected clients (tests, bench); default the project's emulator or Google per `service.endpoint`. */
  clientsFor?: ClientsFor;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface CollectedDrift {
  facts: DriftFacts;
  /** Problems in environments/ that did not stop collection (other environments' files). */
  diagnostics: Diagnostic[];
}

/** Collects every fact drift compares: source always, live Cloud Run facts unless `sourceOnly`. */
export async function collectDriftFacts(options: CollectDriftOptions): Promise<CollectedDrift> {
  const started = performance.now();
  const { projectDir } = options;
  const signal = options.signal ?? new AbortController().signal;
  const loaded = await loadEnvironmentsFor(projectDir, options.sourceOnly === true);
  const selected = selectEnvironments(loaded.environments, options.environments);
  const relevant = loaded.diagnostics.items.filter(
    (d) =>
      d.severity === "error" && (!d.file || selected.some((e) => e.file === d.file) || !options.environments),
  );
  if (relevant.length > 0) {
    throw new ConfigError(
      "config.invalid",
      `Can't check drift: environments/ has ${relevant.length} error(s).`,
      {
        hint: "Fix the errors listed above (`echogate check` shows them too).",
        details: { diagnostics: relevant },
      },
    );
  }
  const envSchema = await collectEnvSchema(projectDir);
  const secretKeys = new Set(envSchema.secretKeys);
  const environments = await Promise.all(selected.map((e) => collectDeclared(projectDir, e, secretKeys)));
  const source = collectSourceDrift(projectDir);
  const facts: DriftFacts = {
    mode: options.sourceOnly ? "source" : "live",
    collectedAt: new Date().toISOString(),
    environments,
    targets: [],
    source,
    envSchema,
    ms: 0,
  };
  if (!options.sourceOnly) {
    const specs: TargetSpec[] = selected.flatMap((environment, i) =>
      environment.config.service.regions.map((region) => ({
        column:
          environment.config.service.regions.length > 1 ? `${environment.name}/${region}` : environment.name,
        environment: environments[i]!,
        region,
        health: {
          path: environment.config.smoke?.health.path ?? "/health",
          versionField: environment.config.smoke?.health.versionField ?? "version",
        },
      })),
    );
    const pool = options.clientsFor ? undefined : clientPool(projectDir, options.env);
    const clientsFor = options.clientsFor ?? pool!.clientsFor;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    // Every probe in flight listens on the run's signal; that many is expected, not a leak.
    setMaxListeners(2 * concurrency + 10, signal);
    try {
      const [targets, web] = await Promise.all([
        mapLimit(specs, concurrency, async (spec) =>
          collectTarget(spec, await clientsFor(spec.environment.endpoint), secretKeys, signal),
        ),
        mapLimit(environments, concurrency, async (env) =>
          env.hosting?.origin ? await probeWebConfig(env.hosting.origin, signal) : undefined,
        ),
      ]);
      const webOf = new Map<string, WebFact | undefined>(environments.map((env, i) => [env.name, web[i]]));
      facts.targets = targets.map((target) => {
        const fact = target.status === "ok" ? webOf.get(target.environment) : undefined;
        return fact ? { ...target, web: fact } : target;
      });
    } finally {
      await pool?.close();
    }
  }
  facts.ms = Math.round(performance.now() - started);
  return { facts, diagnostics: loaded.diagnostics.items.filter((d) => !relevant.includes(d)) };
}

/** `--source` still compares Dockerfile, dev script and cloudbuild.yaml in a repo without environments/. */
async function loadEnvironmentsFor(
  projectDir: string,
  sourceOnly: boolean,
): ReturnType<typeof loadEnvironments> {
  try {
    return await loadEnvironments(projectDir);
  } catch (error) {
    if (!sourceOnly || !(error instanceof ConfigError) || error.code !== "config.no-environments")
      throw error;
    return { projectDir, environments: [], diagnostics: new Diagnostics() };
  }
}

function selectEnvironments(
  all: readonly LoadedEnvironment[],
  names: readonly string[] | undefined,
): LoadedEnvironment[] {
  if (!names || names.length === 0) {
    // Columns read left to right the way an artifact travels: local, staging, production.
    const rank = (e: LoadedEnvironment) => environmentKinds.indexOf(e.config.kind);
    return all
      .filter((e) => e.config.kind !== "preview")
      .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  }
  const unknown = names.filter((name) => !all.some((e) => e.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(
      "config.unknown-environment",
      `No environment named ${unknown.map((n) => `"${n}"`).join(", ")}.`,
      {
        hint: `Known environments: ${all.map((e) => e.name).join(", ") || "none"} (files in environments/).`,
      },
    );
  }
  return names.map((name) => all.find((e) => e.name === name)!);
}
