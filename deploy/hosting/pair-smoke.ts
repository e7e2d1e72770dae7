import { type LoadedEnvironment, smokeSpecOf } from "../config/load-environments.js";
import type { SmokeResult } from "../smoke/result.js";
import { runSmoke } from "../smoke/run-smoke.js";
import { toHttpUrl } from "./runtime-config.js";

/**
 * The pair gate's smoke: the server URL a web build names (ws or http) in, the smoke's result out.
 * `pageOrigin` is the site the clients connect from (sent as Origin, like a browser there). A
 * revision's gate, which knows the plan's target and expected version, is the promote side's
 * GateSmoke (deploy/promote/smoke-types.ts).
 */
export type PairSmoke = (
  serverUrl: string,
  signal?: AbortSignal,
  pageOrigin?: string,
) => Promise<SmokeResult>;

/** The environment's own smoke spec (`smoke:` in its yaml, defaults otherwise), run by deploy/smoke. */
export function pairSmokeFor(environment: LoadedEnvironment): PairSmoke {
  const spec = smokeSpecOf(environment);
  return (serverUrl, signal, pageOrigin) =>
    runSmoke(toHttpUrl(serverUrl), spec, {
      ...(signal ? { signal } : {}),
      ...(pageOrigin ? { origin: pageOrigin } : {}),
    });
}
