import { type LoadedEnvironment, smokeSpecOf } from "../config/load-environments.js";
import type { Output } from "../core/output.js";
import { smokePhase, smokeProgressEvent } from "../smoke/progress-event.js";
import { runSmoke } from "../smoke/run-smoke.js";
import { scaleOutOptions } from "./scale-out-smoke.js";
import type { GateSmoke } from "./smoke-types.js";

/** The environment's smoke spec (or the default, which fits the reference server) as the gate. */
export function createGateSmoke(environment: LoadedEnvironment, output: Output): GateSmoke {
  const spec = smokeSpecOf(environment);
  return async (url, planned, signal, auth) => {
    const result = await runSmoke(url, spec, {
      ...(auth ? { authorization: auth.authorization } : {}),
      ...(planned.expectVersion ? { expectVersion: planned.expectVersion } : {}),
      ...(planned.expectRevision ? { expectRevision: planned.expectRevision } : {}),
      ...scaleOutOptions(environment, planned),
      signal,
      onProgress: (progress) => {
        output.event({
          ...smokeProgressEvent(progress),
          environment: environment.name,
          target: planned.target,
        });
        output.progress(smokePhase(progress));
      },
    });
    return { ...result, target: planned.target };
  };
}
