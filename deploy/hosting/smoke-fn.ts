import { type LoadedEnvironment, smokeSpecOf } from "../config/load-environments.js";
import type { SmokeResult } from "../smoke/result.js";
import { runSmoke } from "../smoke/run-smoke.js";
import { toHttpUrl } from "./runtime-config.js";

/**
 * The gate as the hosting code sees it: a server URL (ws or http) in, the smoke's result out.
 * `pageOrigin` is the site the clients connect from (sent as Origin, like a browser there).
 */
export type SmokeFn = (serverUrl: string, signal?: AbortSignal, pageOrigin?: string) => Promise<SmokeResult>;

/** The environment's own smoke spec (`smoke:` in its yaml, defaults otherwise), run by deploy/smoke. */
export function smokeFor(environment: LoadedEnvironment): SmokeFn {
  const spec = smokeSpecOf(environment);
  return (serverUrl, signal, pageOrigin) =>
    runSmoke(toHttpUrl(serverUrl), spec, {
      ...(signal ? { signal } : {}),
      ...(pageOrigin ? { origin: pageOrigin } : {}),
    });
}
