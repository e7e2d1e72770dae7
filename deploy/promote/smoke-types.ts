import type { SmokeCheck } from "./plan-types.js";

export interface GateCheckResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

/** What the executor needs from the smoke gate, whatever runs it. */
export interface GateSmokeReport {
  ok: boolean;
  url: string;
  target: SmokeCheck["target"];
  ms: number;
  checks: GateCheckResult[];
}

/** How the gate proves who it is to a service that is not public yet. */
export interface GateAuth {
  /** `Bearer <identity token>` for the URL being checked. */
  authorization: string;
}

export type GateSmoke = (
  url: string,
  check: SmokeCheck,
  signal: AbortSignal,
  auth?: GateAuth,
) => Promise<GateSmokeReport>;
