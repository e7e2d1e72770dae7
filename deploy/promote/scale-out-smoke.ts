import type { LoadedEnvironment } from "../config/load-environments.js";
import type { SmokeOptions } from "../smoke/run-smoke.js";
import type { PlannedSmoke } from "./plan-types.js";

/**
 * What the gate must prove beyond one process: across revisions at a partial step (clients on both
 * tag URLs), else across instances when the environment may run more than one.
 */
export function scaleOutOptions(
  environment: LoadedEnvironment,
  planned: PlannedSmoke,
): Pick<SmokeOptions, "fanOut" | "peer"> {
  if (planned.peer?.url) return { peer: { url: planned.peer.url, revision: planned.peer.revision } };
  return environment.config.service.maxInstances > 1 ? { fanOut: "instances" } : {};
}
