import type { SmokeProtocol } from "../config/smoke-spec.js";
import type { ScenarioResult } from "./scenario/result.js";

export type CheckName = "health" | "connect" | "join" | "echo";
type CheckStatus = "passed" | "failed" | "skipped";

/**
 * One check, as people, CI, JUnit and JSON read it: the smoke's own (`CheckName`), and the ones a
 * gate adds around a smoke (the pair gate's `runtime config`, a multi-region `regions` hold-back).
 */
export interface SmokeCheck {
  name: string;
  /** True only for a check that ran and passed. */
  ok: boolean;
  status: CheckStatus;
  ms: number;
  /** One sentence for people, CI logs and JUnit failure messages. */
  detail: string;
}

/** A check that ran: passed or failed by `ok`. */
export function ranCheck(name: string, ok: boolean, ms: number, detail: string): SmokeCheck {
  return { name, ok, status: ok ? "passed" : "failed", ms, detail };
}

/** A gate's verdict and the checks behind it: a smoke's, or a gate's made of a smoke and more. */
export interface GateReport {
  ok: boolean;
  checks: SmokeCheck[];
}

interface SmokeLatencies {
  /** Whole health check, retries included. */
  healthMs: number | null;
  /** Per client: from opening the connection to the handshake completing. */
  connectMs: Record<string, number>;
  /** Per client: from sending the join to its waitFor (or the send, without waitFor). */
  joinMs: Record<string, number>;
  /** Per client: from the sender's send to this client's receipt; null = never received. */
  echoMs: Record<string, number | null>;
}

/** The smoke gate's result: what `echogate smoke` prints and every gate that runs a smoke records. */
export interface SmokeResult extends GateReport {
  /** The base URL as shown to people (never contains credentials: those are refused). */
  url: string;
  protocol: SmokeProtocol;
  /** What /health reported (null when unreachable or absent). */
  version: string | null;
  revision: string | null;
  expectVersion: string | null;
  expectRevision: string | null;
  /** The unique room and nonce of this run, to find it in server logs. */
  room: string;
  nonce: string;
  /** Wall time of the whole gate. */
  ms: number;
  checks: SmokeCheck[];
  /** One per scenario of the spec, in order, with its steps (each also has one check, `scenario <name>`). */
  scenarios: ScenarioResult[];
  latencies: SmokeLatencies;
  /**
   * What the gate couldn't check because the server leaves an optional /health field out
   * (`revision`, `instance`): said, not failed.
   */
  notices: string[];
}

export type SmokeProgress =
  | { type: "check.start"; check: CheckName | `scenario ${string}` }
  | { type: "check.done"; check: SmokeCheck }
  | { type: "health.retry"; attempt: number; error: string; delayMs: number };
