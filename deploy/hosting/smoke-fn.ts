import type { LoadedEnvironment } from "../config/load-environments.js";
import type { SmokeSpecInput } from "../config/smoke-spec.js";
import { runSmoke } from "../smoke/run-smoke.js";
import { toHttpUrl } from "./runtime-config.js";

export interface ProbeCheck {
  name: string;
  ok: boolean;
  detail?: string;
  ms?: number;
}

export interface ProbeResult {
  ok: boolean;
  checks: ProbeCheck[];
}

/**
 * The gate as the hosting code sees it: a server URL (ws or http) in, pass/fail with checks out.
 * `pageOrigin` is the site the clients connect from (sent as Origin, like a browser there).
 */
export type SmokeFn = (serverUrl: string, signal?: AbortSignal, pageOrigin?: string) => Promise<ProbeResult>;

/** The environment's own smoke spec (`smoke:` in its yaml, defaults otherwise), run by deploy/smoke. */
export function smokeFor(environment: LoadedEnvironment): SmokeFn {
  const spec = (environment.config.smoke ?? {}) as SmokeSpecInput;
  return async (serverUrl, signal, pageOrigin) => {
    const result = await runSmoke(toHttpUrl(serverUrl), spec, {
      ...(signal ? { signal } : {}),
      ...(pageOrigin ? { origin: pageOrigin } : {}),
    });
    return {
      ok: result.ok,
      checks: result.checks.map((check) => ({
        name: check.name,
        ok: check.ok,
        detail: check.detail,
        ms: check.ms,
      })),
    };
  };
}
