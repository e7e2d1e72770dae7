import { setMaxListeners } from "node:events";
import type { LoadedEnvironment } from "../../config/load-environments.js";
import { mapLimit } from "../../core/map-limit.js";
import type { Platform } from "../../platform/platform.js";
import type { DeclaredEnvironment, TargetFacts, WebFact } from "../facts.js";
import { collectTarget, type TargetSpec } from "./live-target.js";
import { webReader } from "./web.js";

interface LivePhaseOptions {
  platform: Platform;
  /** Services and web releases read at once. */
  concurrency: number;
  secretKeys: ReadonlySet<string>;
  signal: AbortSignal;
}

/** The live phase: each selected environment's Cloud Run service per region, and its web release. */
export async function collectLiveTargets(
  live: ReadonlyArray<{ environment: LoadedEnvironment; declared: DeclaredEnvironment }>,
  options: LivePhaseOptions,
): Promise<TargetFacts[]> {
  const { platform, concurrency, secretKeys, signal } = options;
  const specs: TargetSpec[] = live.flatMap(({ environment, declared }) =>
    environment.config.service.regions.map((region) => ({
      column:
        environment.config.service.regions.length > 1 ? `${environment.name}/${region}` : environment.name,
      environment: declared,
      region,
      health: {
        path: environment.config.smoke?.health.path ?? "/health",
        versionField: environment.config.smoke?.health.versionField ?? "version",
      },
    })),
  );
  const web = webReader({ platform, signal });
  // Every probe in flight listens on the run's signal; that many is expected, not a leak.
  setMaxListeners(2 * concurrency + 10, signal);
  const [targets, webFacts] = await Promise.all([
    mapLimit(specs, concurrency, async (spec) =>
      collectTarget(
        spec,
        await platform.cloudRun(
          { endpoint: spec.environment.endpoint, project: spec.environment.project },
          spec.region,
        ),
        secretKeys,
        signal,
      ),
    ),
    mapLimit(live, concurrency, async ({ environment, declared }) => {
      const hosting = environment.config.hosting;
      if (!hosting) return undefined;
      // The local emulator daemon serves Cloud Run and Hosting: let the Cloud Run side start it once.
      return web.read(hosting, declared.hosting?.origin, () => platform.cloudRunTarget(declared.endpoint));
    }),
  ]);
  const webOf = new Map<string, WebFact | undefined>(live.map((s, i) => [s.environment.name, webFacts[i]]));
  return targets.map((target) => {
    const fact = target.status === "ok" ? webOf.get(target.environment) : undefined;
    return fact ? { ...target, web: fact } : target;
  });
}
