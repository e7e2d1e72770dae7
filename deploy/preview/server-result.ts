import type { PromotionOutcome } from "../promote/promotion-outcome.js";
import type { PreviewServerResult } from "./preview-services.js";

/** Pure: the pipeline's outcome as the preview code's gate result (every smoke check, in order). */
export function serverResultOf(outcome: PromotionOutcome): PreviewServerResult {
  const checks = outcome.smoke.flatMap((report) =>
    report.checks.map((check) => ({
      name: `${report.target}: ${check.name}`,
      ok: check.ok,
      ...(check.detail ? { detail: check.detail } : {}),
      ...(check.ms !== undefined ? { ms: check.ms } : {}),
    })),
  );
  if (!outcome.ok && outcome.failure)
    checks.push({ name: `${outcome.failure.stage} gate`, ok: false, detail: outcome.failure.message });
  return {
    url: outcome.url ?? "",
    version: outcome.version,
    revision: outcome.revision,
    gate: { ok: outcome.ok, checks },
  };
}
