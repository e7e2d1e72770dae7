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
import type { CloudRunAdapter } from "../platform/cloudrun/adapter.js";
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
import type { PromotionPlan } from "./plan-types.js";
import type { PromotionOutcome } from "./promotion-outcome.js";
import { PromotionPlanner } from "./promotion-planner.js";
import type { RegionBarrier } from "./region-barrier.js";
import { loadRevisionEnv } from "./revision-env.js";
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
  /** A per-branch preview's own service instead of the environment's. */
  preview?: PreviewService;
  /** Runs after the plan is made (artifact resolved, everything validated), before anything changes. */
  beforeApply?: () => Promise<void>;
  /** One region of a multi-region environment (set by promoteRegions). */
  inRegion?: RegionRun;
}

/** Where a preview deploys: its own service, labelled, its web origin from the branch's channel. */
interface PreviewService {
  /** Deployed to instead of the environment's service.name. */
  serviceName: string;
  /** Set on the service besides echogate's own (branch, commit, creator, expiry). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The hosting channel the web build will go to. */
  webChannel?: ChannelSpec;
}

/** One region of a multi-region promotion, run by promoteRegions alongside the others. */
interface RegionRun {
  region: string;
  /** Where this region's `await-regions` steps wait for the others. */
  barrier: RegionBarrier;
  /** One web origin lookup for every region (it may create the web channel). */
  webOrigins: { promise?: Promise<string[] | undefined> };
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
  const environment = withServiceName(
    await project.environment(options.environment),
    options.preview?.serviceName,
  );
  assertMode(environment, options.mode);
  const { service } = environment.config;
  const onGoogle = service.endpoint === "google";
  if (onGoogle && options.mode === "deploy") assertPullableByCloudRun(environment.name, options.image);
  if (service.regions.length > 1 && !options.inRegion) {
    const { promoteRegions } = await import("./multi-region.js");
    return promoteRegions(options, environment, promoteEnvironment);
  }
  assertNamesWithinLimits(environment, CANDIDATE_TAG, options.preview !== undefined);
  const metadata = serviceMetadataOf(options.preview);
  if (metadata) assertServiceMetadata(metadata);
  const digest = options.image ? parseImageArg(options.image) : undefined;
  const envSource = await loadRevisionEnv(project, environment, output);
  // Local artifacts are checked before the platform is touched.
  const local = await localArtifact(options, digest);

  const region = options.inRegion?.region ?? service.regions[0]!;
  const target = await platform.cloudRunTarget(service.endpoint);
  const adapter = await platform.cloudRunAt(target, { project: service.project, region });
  const secrets = secretEnvFor(target, environment, { dryRun: options.dryRun, file: envSource.file });
  try {
    const artifact = local ?? (await resolveArtifact(options, environment, digest));
    const planner = new PromotionPlanner({
      environment,
      mode: options.mode,
      adapter,
      artifact,
      envSource,
      secrets,
      region,
      metadata,
      webOrigins: () => sharedWebOrigins(environment, options),
    });
    const plan = await output.run(`Plan ${environment.name}`, () => planner.plan(), {
      done: (made) => `${made.candidate.revision} ← ${made.artifact.version}`,
      failed: firstLineOf,
    });
    if (options.dryRun) return { plan };
    // A private service is gated with identity tokens: credentials that cannot mint one stop the
    // promotion here, before a service or revision is written.
    if (plan.service.access === "private") await adapter.identityTokenReady();
    await options.beforeApply?.();
    return await apply(plan, planner, { options, environment, adapter });
  } finally {
    await secrets.close();
  }
}

/** Under the lock (planned again there: another promotion may have finished in between), the executor applies the plan. */
async function apply(
  plan: PromotionPlan,
  planner: PromotionPlanner,
  context: { options: PromoteEnvironmentOptions; environment: LoadedEnvironment; adapter: CloudRunAdapter },
): Promise<PromoteEnvironmentResult> {
  const { options, environment, adapter } = context;
  const { output } = options;
  const owner = lockOwner(options.command ?? `echogate ${options.mode} ${environment.name}`);
  const execute = async (current: PromotionPlan, lock?: LockHold) => {
    output.event({ event: "promotion.plan", plan: planSummary(current) });
    const smoke = options.smoke ?? (await defaultSmoke(environment, options));
    const { inRegion } = options;
    const outcome = await executePlan(current, {
      adapter,
      smoke,
      output,
      signal: options.signal,
      owner,
      ...(lock ? { lock } : {}),
      ...(inRegion ? { lockstep: { region: inRegion.region, barrier: inRegion.barrier } } : {}),
    });
    return { plan: current, outcome };
  };
  // A new service is locked by the update that creates it; an already-serving one is only read.
  if (!plan.service.exists || plan.alreadyServing) return execute(plan);
  const known = planner.lastRead;
  return withPromotionLock(
    adapter,
    plan.service.name,
    owner,
    { label: environment.name, output, ...(known ? { known } : {}) },
    async (lock) => execute(await planner.plan(lock.written), lock),
  );
}

/** An --image for `deploy`, read from the local store. */
async function localArtifact(
  options: PromoteEnvironmentOptions,
  digest: string | undefined,
): Promise<Artifact | undefined> {
  if (options.mode !== "deploy" || !options.image || !digest) return undefined;
  return artifactFromImage(options.project.dir, options.image, digest, options.version);
}

/** What passed upstream (`promote`) or a fresh build (`deploy`), pullable by where it goes. */
async function resolveArtifact(
  options: PromoteEnvironmentOptions,
  environment: LoadedEnvironment,
  digest: string | undefined,
): Promise<Artifact> {
  const artifact =
    options.mode === "promote"
      ? await artifactFromUpstream(options, environment, digest)
      : await artifactFromBuild(options.project, options.output, options.fault);
  // Promote reads what passed upstream; an emulator-built digest can't go to Google.
  if (environment.config.service.endpoint === "google")
    assertPullableByCloudRun(environment.name, artifact.imageRef);
  return artifact;
}

/** Every region of one environment shares the one lookup. */
function sharedWebOrigins(
  environment: LoadedEnvironment,
  options: PromoteEnvironmentOptions,
): Promise<string[] | undefined> {
  const shared = options.inRegion?.webOrigins;
  if (!shared) return webOriginsFor(environment, options);
  shared.promise ??= webOriginsFor(environment, options);
  return shared.promise;
}

export function deployEnvironment(
  options: Omit<PromoteEnvironmentOptions, "mode">,
): Promise<PromoteEnvironmentResult> {
  return promoteEnvironment({ ...options, mode: "deploy" });
}

function serviceMetadataOf(preview: PreviewService | undefined): ServiceMetadata | undefined {
  if (!preview?.labels && !preview?.annotations) return undefined;
  return { labels: preview.labels ?? {}, annotations: preview.annotations ?? {} };
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
        ...(options.preview?.webChannel ? { channel: options.preview.webChannel } : {}),
        create: !options.dryRun,
      }),
    {
      done: (found) => (unknown(found) ? "unknown until the web channel exists" : found.join(", ") || "none"),
    },
  );
  return unknown(origins) ? ["(the web channel's URL, created on deploy)"] : origins;
}
