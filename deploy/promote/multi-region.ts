import type { LoadedEnvironment } from "../config/load-environments.js";
import { messageOf } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { globalUrlOf } from "../platform/cloudrun/global-url.js";
import { artifactFromBuild } from "./artifact.js";
import type { PromoteEnvironmentOptions, PromoteEnvironmentResult } from "./promote-environment.js";
import type { PromotionOutcome } from "./promotion-outcome.js";
import { RegionBarrier } from "./region-barrier.js";
import type { GateSmoke } from "./smoke-types.js";

export interface RegionOutcome {
  region: string;
  ok: boolean;
  /** `planned` for --dry-run; `error` when the region failed outright (platform or config). */
  result: PromotionOutcome["result"] | "planned" | "error";
  revision: string | undefined;
  url: string | undefined;
  failure?: string;
}

type Promote = (options: PromoteEnvironmentOptions) => Promise<PromoteEnvironmentResult>;

/**
 * All regions or none: one artifact, a candidate per region deployed and gated in parallel, and
 * traffic moves in a region only when every region's gate at that step passed (each plan's
 * `await-regions` steps wait at one RegionBarrier).
 * A failure anywhere fails the held-back regions' gates too, so each executor leaves its traffic
 * (or, after a shift, rolls it back to its gate-passed revision) as a single-region gate would.
 */
export async function promoteRegions(
  options: PromoteEnvironmentOptions,
  environment: LoadedEnvironment,
  promote: Promote,
): Promise<PromoteEnvironmentResult & { regions: RegionOutcome[]; globalUrl?: string }> {
  const { regions } = environment.config.service;
  let { image, version } = options;
  if (options.mode === "deploy" && !image && !options.dryRun) {
    // Built once: every region runs the same digest.
    const artifact = await artifactFromBuild(options.project, options.output, options.fault);
    image = artifact.imageRef;
    version = artifact.version;
  }
  const barrier = new RegionBarrier(regions);
  const baseSmoke = options.smoke ?? (await defaultSmoke(environment, options.output));
  const thrown: unknown[] = [];
  const webOrigins = {};
  const runs = regions.map(async (region): Promise<[RegionOutcome, PromoteEnvironmentResult | undefined]> => {
    try {
      const result = await promote({
        ...options,
        inRegion: { region, barrier, webOrigins },
        output: regionOutput(options.output, region),
        smoke: baseSmoke,
        ...(image ? { image } : {}),
        ...(version ? { version } : {}),
      });
      const outcome = result.outcome;
      if (outcome && !outcome.ok) barrier.fail(region, outcome.failure?.message ?? outcome.result);
      else barrier.finish(region);
      return [
        {
          region,
          ok: outcome?.ok ?? true,
          result: outcome?.result ?? "planned",
          revision: result.plan.candidate.revision,
          url: outcome?.url ?? result.plan.service.uri,
          ...(outcome?.failure ? { failure: outcome.failure.message } : {}),
        },
        result,
      ];
    } catch (error) {
      thrown.push(error);
      const message = messageOf(error);
      barrier.fail(region, message);
      return [
        { region, ok: false, result: "error", revision: undefined, url: undefined, failure: message },
        undefined,
      ];
    }
  });
  const settled = await Promise.all(runs);
  // A region that failed outright (platform or config error) is the error to report, once the
  // others have settled (their gates were held back, so their traffic is where it was).
  if (thrown.length > 0) throw thrown[0];
  const pairs = settled.map(([outcome, result]) => ({ region: outcome.region, result: result! }));
  const primary =
    pairs.find(({ result }) => result.outcome?.ok === false && !isHeldBack(result.outcome)) ??
    pairs.find(({ result }) => result.outcome?.ok === false) ??
    pairs[0]!;
  const outcome = primary.result.outcome;
  const allOk = settled.every(([regionOutcome]) => regionOutcome.ok);
  const regionUrls = settled.flatMap(([regionOutcome]) => (regionOutcome.url ? [regionOutcome.url] : []));
  const globalUrl =
    allOk && !options.dryRun
      ? await globalUrlOf(
          await options.platform.cloudRunTarget(environment.config.service.endpoint),
          environment,
          regionUrls,
        )
      : environment.config.service.globalUrl;
  // The front end follows the one global URL, not one region's.
  if (outcome?.ok && globalUrl) outcome.url = globalUrl;
  return {
    ...(globalUrl ? { globalUrl } : {}),
    plan: primary.result.plan,
    ...(outcome
      ? {
          outcome: outcome.failure
            ? {
                ...outcome,
                failure: { ...outcome.failure, message: `in ${primary.region}: ${outcome.failure.message}` },
              }
            : outcome,
        }
      : {}),
    regions: settled.map(([regionOutcome]) => regionOutcome),
  };
}

function isHeldBack(outcome: PromotionOutcome): boolean {
  return /held back: region /.test(outcome.failure?.message ?? "");
}

/** Step lines and events name the region they belong to. */
function regionOutput(output: Output, region: string): Output {
  return new Proxy(output, {
    get(target, property, receiver) {
      if (property === "step")
        return (name: string, data: Record<string, unknown> = {}) =>
          target.step(`[${region}] ${name}`, { ...data, region });
      const value = Reflect.get(target, property, receiver);
      // Bound to the proxy: `run` opens its step through the `step` above.
      return typeof value === "function" ? value.bind(receiver) : value;
    },
  });
}

async function defaultSmoke(environment: LoadedEnvironment, output: Output): Promise<GateSmoke> {
  const { createGateSmoke } = await import("./gate-smoke.js");
  return createGateSmoke(environment, output);
}
