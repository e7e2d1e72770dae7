import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import type { FaultName } from "../build/faults.js";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { firstLineOf, UsageError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { resolveDeployWebOrigins } from "../hosting/deploy-web-origins.js";
import type { ChannelSpec } from "../hosting/publish.js";
import type { LockOwner } from "../model/lock.js";
import { assertNamesWithinLimits, CANDIDATE_TAG, withServiceName } from "../model/name-limits.js";
import type { LoadedService } from "../platform/cloudrun/adapter.js";
import { type LockHold, withPromotionLock } from "../platform/cloudrun/lock-io.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import {
  artifactFromBuild,
  artifactFromImage,
  artifactFromSource,
  assertPullableByCloudRun,
  parseImageArg,
} from "./artifact.js";
import type { Artifact } from "./artifact-types.js";
import { executePlan } from "./execute.js";
import type { RegionOutcome } from "./multi-region.js";
import { planPromotion } from "./plan.js";
import type { PromotionPlan } from "./plan-types.js";
import type { PromotionOutcome } from "./promotion-outcome.js";
import { loadRevisionEnv, needsWebOrigin, resolveRevisionEnv } from "./revision-env.js";
import { secretEnvFor } from "./secret-env.js";
import { assertServiceMetadata, type ServiceMetadata } from "./service-metadata.js";
import type { GateSmoke } from "./smoke-types.js";

export interface PromoteEnvironmentOptions {
  project: Project;
  platform: Platform;
  environment: string;
  output: Output;
  signal: AbortSignal;
  /** `deploy`: build (or --image) for an environment without promotesFrom. `promote`: take what passed upstream. */
  mode: "deploy" | "promote";
  /** A digest reference; for `promote` it must equal what passed upstream. */
  image?: string;
  /** The version an --image built elsewhere (Cloud Build) reports on /health. */
  version?: string;
  /** Demo/test only: build with a known bug. */
  fault?: FaultName;
  dryRun?: boolean;
  /** Runs the gate; defaults to the smoke test configured for the environment. */
  smoke?: GateSmoke;
  /** Shown in the lock, e.g. `echogate deploy staging`. */
  command?: string;
  /** Deploy to this service instead of the environment's service.name (per-branch previews). */
  serviceName?: string;
  /** Set on the service besides echogate's own (previews: branch, commit, creator, expiry). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The hosting channel the web build will go to, when not the environment's own (previews). */
  webChannel?: ChannelSpec;
  /** Runs after the plan is made (artifact resolved, everything validated), before anything changes. */
  beforeApply?: () => Promise<void>;
  /** One region of a multi-region environment (set by promoteRegions); the only region otherwise. */
  region?: string;
  /** Regions of one environment share one web origin lookup (it may create the web channel). */
  sharedWebOrigins?: { promise?: Promise<string[] | undefined> };
}

export interface PromoteEnvironmentResult {
  plan: PromotionPlan;
  /** Absent for --dry-run. */
  outcome?: PromotionOutcome;
  /** Multi-region environments: each region's outcome, and the one URL in front of them. */
  regions?: RegionOutcome[];
  globalUrl?: string;
}

/** The whole pipeline for one environment: validate, resolve the artifact, plan, then apply. */
export async function promoteEnvironment(
  options: PromoteEnvironmentOptions,
): Promise<PromoteEnvironmentResult> {
  const { project, platform, output } = options;
  const environment = withServiceName(await project.environment(options.environment), options.serviceName);
  assertMode(environment, options.mode);
  const onGoogle = environment.config.service.endpoint === "google";
  if (onGoogle && options.mode === "deploy") assertPullableByCloudRun(environment.name, options.image);
  if (environment.config.service.regions.length > 1 && !options.region) {
    const { promoteRegions } = await import("./multi-region.js");
    return promoteRegions(options, environment, promoteEnvironment);
  }
  const region = options.region ?? environment.config.service.regions[0]!;
  assertNamesWithinLimits(environment, CANDIDATE_TAG, options.serviceName !== undefined);
  const metadata = serviceMetadataOf(options);
  if (metadata) assertServiceMetadata(metadata);
  const digest = options.image ? parseImageArg(options.image) : undefined;
  const envSource = await loadRevisionEnv(project, environment, output);

  // Local artifacts are checked before the platform is touched.
  let artifact: Artifact | undefined;
  if (options.mode === "deploy" && digest && options.image)
    artifact = await artifactFromImage(project.dir, options.image, digest, options.version);

  const target = await platform.cloudRunTarget(environment.config.service.endpoint);
  const adapter = await platform.cloudRunAt(target, { project: environment.config.service.project, region });
  const secrets = secretEnvFor(target, environment, { dryRun: options.dryRun, file: envSource.file });
  const secretNames = new Set(envSource.entries.filter((entry) => entry.secret).map((entry) => entry.name));
  try {
    if (!artifact) {
      artifact =
        options.mode === "promote"
          ? await artifactFromUpstream(options, environment, digest)
          : await artifactFromBuild(project, output, options.fault);
      // Promote reads what passed upstream; an emulator-built digest can't go to Google.
      if (onGoogle) assertPullableByCloudRun(environment.name, artifact.imageRef);
    }
    const owner = lockOwner(options.command ?? `echogate ${options.mode} ${environment.name}`);
    // Resolved once, after Cloud Run answered: an unreachable API must leave hosting untouched too.
    let webOrigins: Promise<string[] | undefined> | undefined;
    // The service as the last plan read it: the lock is written from it. Under the lock, `known` is
    // the lock's own write, so the re-plan does not read the service again.
    let planned: LoadedService | undefined;
    const makePlan = async (known?: LoadedService) => {
      const [loaded, revisions] = await Promise.all([
        known ?? adapter.getService(environment.config.service.name),
        adapter.listRevisions(environment.config.service.name),
      ]);
      planned = loaded;
      const access = loaded ? await adapter.invokerAccess(environment.config.service.name) : undefined;
      webOrigins ??=
        options.sharedWebOrigins?.promise ??
        (needsWebOrigin(envSource) ? webOriginsFor(environment, options) : Promise.resolve(undefined));
      if (options.sharedWebOrigins) options.sharedWebOrigins.promise = webOrigins;
      const { env, unresolved } = resolveRevisionEnv(
        envSource,
        environment,
        loaded?.snapshot.uri,
        await webOrigins,
      );
      const plan = planPromotion({
        environment: environment.name,
        config: environment.config,
        mode: options.mode,
        artifact: artifact!,
        env: await secrets.apply(env, secretNames),
        service: loaded?.snapshot,
        revisions,
        ...(access ? { access } : {}),
        region,
        ...(metadata ? { metadata } : {}),
      });
      if (unresolved.length > 0) {
        plan.warnings.push({
          code: "env.unresolved",
          message: `${unresolved.join(", ")} need the service URL, which exists only after the first deploy; they are set from the next deploy on.`,
        });
      }
      return plan;
    };

    const plan = await output.run(`Plan ${environment.name}`, () => makePlan(), {
      done: (made) => `${made.candidate.revision} ← ${made.artifact.version}`,
      failed: firstLineOf,
    });
    if (options.dryRun) return { plan };
    // A private service is gated with identity tokens: credentials that cannot mint one stop the
    // promotion here, before a service or revision is written.
    if (plan.service.access === "private") await adapter.identityTokenReady();
    await options.beforeApply?.();

    const execute = async (current: PromotionPlan, lock?: LockHold) => {
      output.event({ event: "promotion.plan", plan: planSummary(current) });
      const smoke = options.smoke ?? (await defaultSmoke(environment, options));
      const outcome = await executePlan(current, {
        adapter,
        smoke,
        output,
        signal: options.signal,
        owner,
        ...(lock ? { lock } : {}),
      });
      return { plan: current, outcome };
    };
    // A new service is locked by the update that creates it; an already-serving one is only read.
    if (!plan.service.exists || plan.alreadyServing) return await execute(plan);
    // Plan again under the lock: another promotion may have finished in between.
    return await withPromotionLock(
      adapter,
      plan.service.name,
      owner,
      { label: environment.name, output, ...(planned ? { known: planned } : {}) },
      async (lock) => execute(await makePlan(lock.written), lock),
    );
  } finally {
    await secrets.close();
  }
}

export function deployEnvironment(
  options: Omit<PromoteEnvironmentOptions, "mode">,
): Promise<PromoteEnvironmentResult> {
  return promoteEnvironment({ ...options, mode: "deploy" });
}

function serviceMetadataOf(options: PromoteEnvironmentOptions): ServiceMetadata | undefined {
  if (!options.labels && !options.annotations) return undefined;
  return { labels: options.labels ?? {}, annotations: options.annotations ?? {} };
}

function assertMode(environment: LoadedEnvironment, mode: "deploy" | "promote"): void {
  const from = environment.config.promotesFrom;
  if (mode === "deploy" && from) {
    throw new UsageError(
      `Can't deploy ${environment.name} directly: it only receives what passed ${from}'s gate.`,
      {
        hint: `Run \`echogate promote ${environment.name}\`.`,
      },
    );
  }
  if (mode === "promote" && !from) {
    throw new UsageError(`Can't promote ${environment.name}: it has no promotesFrom environment.`, {
      hint: `Run \`echogate deploy ${environment.name}\`, or set promotesFrom in ${environment.file}.`,
    });
  }
}

async function artifactFromUpstream(
  options: PromoteEnvironmentOptions,
  environment: LoadedEnvironment,
  digest: string | undefined,
): Promise<Artifact> {
  const source = await options.project.environment(environment.config.promotesFrom!);
  const adapter = await options.platform.cloudRun(source.config.service, source.config.service.regions[0]!);
  return options.output.run(
    `Find what passed ${source.name}'s gate`,
    () => artifactFromSource(source, adapter, environment.name, digest),
    { done: (artifact) => `${artifact.version} ${artifact.digest} (${artifact.from?.revision})` },
  );
}

export function lockOwner(command: string): LockOwner {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return { id: randomUUID(), holder: `${user}@${hostname()}`, host: hostname(), pid: process.pid, command };
}

async function defaultSmoke(
  environment: LoadedEnvironment,
  options: PromoteEnvironmentOptions,
): Promise<GateSmoke> {
  const { createGateSmoke } = await import("./gate-smoke.js");
  return createGateSmoke(environment, options.output);
}

/** A small view of the plan for the NDJSON event stream. */
function planSummary(plan: PromotionPlan): Record<string, unknown> {
  return {
    environment: plan.environment,
    revision: plan.candidate.revision,
    digest: plan.artifact.digest,
    version: plan.artifact.version,
    alreadyServing: plan.alreadyServing,
    access: plan.service.access,
    onFailure: plan.onFailure.kind,
    actions: plan.actions.map((a) => a.kind),
  };
}

/** `${WEB_ORIGIN}` for this deploy; a dry run reads the channel but never creates it. */
async function webOriginsFor(
  environment: LoadedEnvironment,
  options: PromoteEnvironmentOptions,
): Promise<string[]> {
  const unknown = (origins: string[]) => origins.length === 0 && options.dryRun === true;
  const origins = await options.output.run(
    `Web origin of ${environment.name}`,
    () =>
      resolveDeployWebOrigins({
        platform: options.platform,
        environment,
        ...(options.webChannel ? { channel: options.webChannel } : {}),
        create: !options.dryRun,
      }),
    {
      done: (found) => (unknown(found) ? "unknown until the web channel exists" : found.join(", ") || "none"),
    },
  );
  return unknown(origins) ? ["(the web channel's URL, created on deploy)"] : origins;
}
