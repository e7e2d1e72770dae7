import { afterError, afterInterrupt, recoverFromGateFailure } from "./execute-recovery.js";
import { applyAction } from "./execute-steps.js";
import { type ExecuteOptions, Execution, GateFailure, Interrupted } from "./execution.js";
import type { ExecutablePlan } from "./plan-types.js";
import type { PromotionOutcome } from "./promotion-outcome.js";

/**
 * Applies a plan's actions in order (execute-steps.ts): the candidate at 0% with its tag, the gate
 * on its tag URL, then traffic (with the gate record in the same update) step by step. When it
 * stops, the plan's recovery for that step applies (execute-recovery.ts): a failed gate before
 * the shift leaves traffic as it was, after it traffic goes back, only ever to gate-passed revisions.
 */
export async function executePlan(plan: ExecutablePlan, options: ExecuteOptions): Promise<PromotionOutcome> {
  const run = new Execution(plan, options);
  const alreadyServing = plan.kind === "promotion" && plan.alreadyServing;
  try {
    if (alreadyServing) run.known = await options.adapter.getService(run.name);
    for (const [index, action] of plan.actions.entries()) {
      run.at = index;
      await applyAction(run, action);
    }
    run.outcome.ok = true;
    run.outcome.result = alreadyServing ? "already-serving" : "promoted";
  } catch (error) {
    if (error instanceof Interrupted || (options.signal.aborted && !(error instanceof GateFailure))) {
      await afterInterrupt(run);
    } else if (error instanceof GateFailure) {
      run.outcome.failure = { stage: error.stage, message: error.message };
      // The other regions stop waiting for this one before its recovery runs.
      options.lockstep?.barrier.fail(options.lockstep.region, error.message);
      await recoverFromGateFailure(run, error);
    } else {
      await afterError(run);
      throw error;
    }
  }
  run.outcome.traffic = run.latest?.traffic ?? run.outcome.traffic;
  run.outcome.url = run.latest?.uri ?? run.outcome.url;
  return run.outcome;
}
