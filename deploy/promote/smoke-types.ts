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

export type GateSmoke = (url: string, check: SmokeCheck, signal: AbortSignal) => Promise<GateSmokeReport>;
