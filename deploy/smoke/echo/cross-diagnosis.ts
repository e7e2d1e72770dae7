import type { Receipt } from "./diagnose.js";

/**
 * When clients were placed on different instances or revisions: a receiver elsewhere than the
 * sender that never got the message, while the sender's own place did, is the missing backplane.
 * Returns undefined when the pattern does not show that (the plain diagnosis then stands alone).
 */
export function diagnoseCrossing(
  receipts: readonly (Receipt & { where?: string | undefined })[],
  timeoutMs: number,
): string | undefined {
  const [sender, ...others] = receipts;
  if (!sender?.where) return undefined;
  const samePlaceGot = sender.ms !== null || others.some((r) => r.where === sender.where && r.ms !== null);
  const lostElsewhere = others.filter(
    (r) => r.where && r.where !== sender.where && r.ms === null && !r.closed,
  );
  if (!samePlaceGot || lostElsewhere.length === 0) return undefined;
  const first = lostElsewhere[0]!;
  const across = first.where!.startsWith("revision") ? "revisions" : "instances";
  return `sender on ${sender.where}, receiver ${first.client} on ${first.where} never got it within ${timeoutMs} ms: no shared broadcast (backplane) across ${across}`;
}
