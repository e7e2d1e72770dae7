import { CheckFailedError } from "../core/errors.js";
import { formatTraffic, type TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { PromotionSmoke } from "./smoke-types.js";

/** `private`: the gate failed with no gate-passed revision to fall back to; nobody outside can reach the service. */
type PromotionResult = "promoted" | "already-serving" | "refused" | "rolled-back" | "private" | "interrupted";

interface StepRecord {
  name: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

export interface PromotionOutcome {
  ok: boolean;
  result: PromotionResult;
  mode: "deploy" | "promote" | "rollback";
  environment: string;
  service: string;
  revision: string;
  version: string;
  digest: string;
  url: string | undefined;
  failure?: { stage: "start" | "candidate" | "service"; message: string };
  traffic: TrafficTarget[];
  smoke: PromotionSmoke[];
  steps: StepRecord[];
}

/** Exit code and error for an outcome that did not pass, with the smoke report in details. */
export function outcomeError(outcome: PromotionOutcome): CheckFailedError {
  const where =
    outcome.result === "rolled-back"
      ? `traffic went back to ${formatTraffic(outcome.traffic)}, which passed its gate`
      : outcome.result === "private"
        ? `no revision of ${outcome.service} passed its gate, so it is private (only callers with an identity token reach it) and traffic was not moved`
        : outcome.result === "interrupted"
          ? "interrupted; traffic is on a revision that passed its gate"
          : "traffic was not moved";
  return new CheckFailedError(
    outcome.result === "interrupted" ? "promote.interrupted" : "promote.gate-failed",
    `Can't ${outcome.mode} ${outcome.version} to ${outcome.environment}: ${outcome.failure?.message ?? "the gate failed"} (${where}).`,
    {
      hint:
        outcome.result === "interrupted"
          ? `Re-run the same command to finish; it finds revision ${outcome.revision} and converges.`
          : `Fix the build and deploy again; \`echogate status\` shows what ${outcome.environment} serves.`,
      details: outcome,
    },
  );
}
