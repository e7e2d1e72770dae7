import { withPromotionLock } from "../platform/cloudrun/lock-io.js";
import { type Execution, type GateFailure, setTraffic } from "./execution.js";
import type { RecoveryAction } from "./failure-policy.js";

// What happens when a promotion stops: the plan's recovery for the step it stopped at
// (plan.recovery, from its failure policy), applied as planned; nothing here picks where traffic goes.

/** A gate failed: the plan's answer for this step, under the lock, each action a step line. */
export async function recoverFromGateFailure(run: Execution, failure: GateFailure): Promise<void> {
  const stage = run.stage;
  const recover = async () => {
    for (const action of stage.gateFails) await run.step(action.title, () => perform(run, action, failure));
  };
  if (run.lock.held || run.createdService) await recover();
  else {
    // Nothing was written yet (an already-serving revision failed its re-check): its gate no longer
    // passes, so traffic leaves it like a failed candidate's, under the lock a killed run may still hold.
    const { adapter, owner, output } = run.options;
    const options = { label: run.plan.environment, output, step: run.step.bind(run), now: run.now };
    await withPromotionLock(adapter, run.name, owner, { ...options, isAlive: run.isAlive }, (lock) => {
      run.lock = lock;
      run.known = lock.written;
      return recover();
    });
  }
  run.outcome.result = stage.result;
}

/** Interrupted: the plan's answer for this step, best effort and quietly (the process is on its way out). */
export async function afterInterrupt(run: Execution): Promise<void> {
  run.outcome.result = "interrupted";
  run.outcome.failure = {
    stage: run.shifted ? "service" : "candidate",
    message: "Interrupted before the promotion finished.",
  };
  // Nothing of ours to undo: no lock taken, no service created.
  if (!run.lock.held && !run.createdService) return;
  for (const action of run.stage.interrupted) await perform(run, action).catch(() => undefined);
}

/**
 * Anything else failed (the platform, the network): nothing is rolled back. A service this run
 * created still has only its ungated revision and goes; otherwise the lock is released.
 */
export async function afterError(run: Execution): Promise<void> {
  if (run.createdService && !run.shifted && run.lock.held) {
    await deleteService(run).catch(() => undefined);
    return;
  }
  await run.lock.release();
}

async function perform(run: Execution, action: RecoveryAction, failure?: GateFailure): Promise<void> {
  switch (action.kind) {
    case "delete-service":
      return deleteService(run);
    case "make-private":
      await run.adapter.setPublicInvoker(run.name, false);
      return;
    case "set-traffic":
      await run.write((raw, snapshot) => {
        setTraffic(raw, action.traffic);
        run.recordGate(raw, snapshot, { result: "failed", stage: failure?.stage ?? "candidate" });
      }, "release");
      return;
    case "restore-traffic":
      await run.write((raw) => setTraffic(raw, action.traffic), "release");
      return;
    case "record-passed":
      await run.write(
        (raw, snapshot) => run.recordGate(raw, snapshot, { result: "passed", stage: "candidate" }),
        "release",
      );
      return;
    case "release-lock":
      await run.write(() => undefined, "release");
      return;
  }
}

async function deleteService(run: Execution): Promise<void> {
  await run.adapter.deleteService(run.name);
  run.known = undefined;
  run.lock.dropped();
}
