import type { PromotionOutcome } from "../promote/promotion-outcome.js";
import type { SmokeCheck } from "../smoke/result.js";
import type { PreviewServerResult } from "./preview-services.js";

/** Pure: the pipeline's outcome as the preview code's gate result (every smoke check, in order). */
export function serverResultOf(outcome: PromotionOutcome): PreviewServerResult {
  const checks: SmokeCheck[] = outcome.smoke.flatMap((smoke) =>
    smoke.checks.map((check) => ({ ...check, name: `${smoke.target}: ${check.name}` })),
  );
  if (!outcome.ok && outcome.failure)
    checks.push({
      name: `${outcome.failure.stage} gate`,
      ok: false,
      status: "failed",
      ms: 0,
      detail: outcome.failure.message,
    });
  return {
    url: outcome.url ?? "",
    version: outcome.version,
    revision: outcome.revision,
    gate: { ok: outcome.ok, checks },
  };
}
