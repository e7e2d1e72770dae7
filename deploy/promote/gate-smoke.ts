import type { LoadedEnvironment } from "../config/load-environments.js";
import { defaultSmokeSpec, type SmokeSpec } from "../config/smoke-spec.js";
import type { Output } from "../core/output.js";
import type { SmokeProgress } from "../smoke/result.js";
import { runSmoke } from "../smoke/run-smoke.js";
import { scaleOutOptions } from "./scale-out-smoke.js";
import type { GateSmoke } from "./smoke-types.js";

/** The environment's smoke spec (or the default, which fits the reference server) as the gate. */
export function createGateSmoke(environment: LoadedEnvironment, output: Output): GateSmoke {
  const spec = (environment.config.smoke as SmokeSpec | undefined) ?? defaultSmokeSpec();
  return async (url, check, signal, auth) => {
    const result = await runSmoke(url, spec, {
      ...(auth ? { authorization: auth.authorization } : {}),
      ...(check.expectVersion ? { expectVersion: check.expectVersion } : {}),
      ...(check.expectRevision ? { expectRevision: check.expectRevision } : {}),
      ...scaleOutOptions(environment, check),
      signal,
      onProgress: (event) =>
        output.event({
          event: `smoke.${event.type}`,
          environment: environment.name,
          target: check.target,
          ...progressData(event),
        }),
    });
    return {
      ok: result.ok,
      url: result.url,
      target: check.target,
      ms: Math.round(result.ms),
      checks: result.checks.map((c) => ({ name: c.name, ok: c.ok, ms: Math.round(c.ms), detail: c.detail })),
    };
  };
}

function progressData(event: SmokeProgress): Record<string, unknown> {
  if (event.type === "check.start") return { check: event.check };
  if (event.type === "check.done") return { check: event.check.name, ok: event.check.ok, ms: event.check.ms };
  return { attempt: event.attempt, error: event.error };
}
