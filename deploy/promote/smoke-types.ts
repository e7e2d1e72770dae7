import type { SmokeResult } from "../smoke/result.js";
import type { PlannedSmoke, SmokeTarget } from "./plan-types.js";

/** A smoke result as a promotion records it: the runner's result, plus which of its URLs was checked. */
export interface PromotionSmoke extends SmokeResult {
  target: SmokeTarget;
}

/** How the gate proves who it is to a service that is not public yet. */
export interface GateAuth {
  /** `Bearer <identity token>` for the URL being checked. */
  authorization: string;
}

/** What the executor needs from the smoke gate, whatever runs it. */
export type GateSmoke = (
  url: string,
  planned: PlannedSmoke,
  signal: AbortSignal,
  auth?: GateAuth,
) => Promise<PromotionSmoke>;
