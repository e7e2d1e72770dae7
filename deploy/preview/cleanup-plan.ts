import type { PreviewRow } from "./model.js";
import { previewId } from "./names.js";

interface CleanupCriteria {
  /** Delete previews older than this, or already expired. */
  olderThanMs?: number;
  /** Delete this branch's preview. */
  branch?: string;
  /** Branches whose previews are never deleted. */
  protect: readonly string[];
  /** Services of non-preview environments (staging, production): never deleted. */
  environmentServices: readonly string[];
  now: Date;
}

interface CleanupPlan {
  remove: PreviewRow[];
  keep: { row: PreviewRow; reason: string }[];
}

/** Pure: which previews a cleanup deletes and why every other one stays. */
export function planCleanup(rows: readonly PreviewRow[], criteria: CleanupCriteria): CleanupPlan {
  const protectedIds = new Set(criteria.protect.map(previewId));
  const protectedNames = new Set(criteria.protect);
  const environmentServices = new Set(criteria.environmentServices);
  const wantedId = criteria.branch === undefined ? undefined : previewId(criteria.branch);
  const plan: CleanupPlan = { remove: [], keep: [] };
  for (const row of rows) {
    const reason = keepReason(row);
    if (reason) plan.keep.push({ row, reason });
    else plan.remove.push(row);
  }
  return plan;

  function keepReason(row: PreviewRow): string | undefined {
    if (row.service && environmentServices.has(row.service)) return "serves a non-preview environment";
    if (row.id === "live") return "is a site's live channel";
    if (protectedIds.has(row.id) || protectedNames.has(row.branch)) return "protected (--protect)";
    if (wantedId !== undefined)
      return row.id === wantedId || row.branch === criteria.branch ? undefined : "another branch";
    if (criteria.olderThanMs !== undefined) {
      if (row.expired) return undefined;
      if (row.ageMs !== undefined && row.ageMs >= criteria.olderThanMs) return undefined;
      return "newer than --older-than";
    }
    return "no criteria";
  }
}
