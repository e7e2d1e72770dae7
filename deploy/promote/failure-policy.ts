import { type GateRecord, hasPassed } from "../model/gate-records.js";
import type { RevisionSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import { restoredTraffic, shiftedTraffic } from "./traffic-analysis.js";

/**
 * What a failed gate leaves behind, decided when planning so the executor only applies it.
 * Traffic only ever goes back to revisions whose gate passed; with none to go back to, the
 * service is made private rather than left public on a failed or ungated build.
 */
export type FailurePolicy =
  /** The service this promotion creates is deleted again. */
  | { kind: "delete-service" }
  /** Traffic as it was (candidate tag removed): every revision serving it passed its gate. */
  | { kind: "restore"; traffic: TrafficTarget[] }
  /** 100% to the last revision that passed its gate (what served before included a failed or ungated one). */
  | { kind: "last-passed"; revision: string; traffic: TrafficTarget[] }
  /** Nothing this promotion may fall back to, but it never moved traffic there: left as it was. */
  | { kind: "unchanged"; traffic: TrafficTarget[] }
  /** No revision passed its gate and a failed or ungated one serves: no public invoker, traffic not moved. */
  | { kind: "make-private"; traffic: TrafficTarget[] };

export interface FailurePolicyInput {
  serviceExists: boolean;
  /** The current routing with LATEST resolved (see pinTraffic). */
  pinned: readonly TrafficTarget[];
  records: readonly GateRecord[];
  revisions: readonly RevisionSnapshot[];
  candidate: string;
  tag: string;
}

export function failurePolicy(input: FailurePolicyInput): FailurePolicy {
  if (!input.serviceExists) return { kind: "delete-service" };
  const { pinned, records, candidate, tag } = input;
  const restored = restoredTraffic(pinned, tag);
  const serving = [...new Set(restored.filter((t) => t.percent > 0).map((t) => t.revision))];
  const passed = (revision: string | undefined) => revision !== candidate && hasPassed(records, revision);
  if (serving.length > 0 && serving.every(passed)) return { kind: "restore", traffic: restored };

  const target = lastPassed(input);
  if (target) {
    return {
      kind: "last-passed",
      revision: target,
      traffic: shiftedTraffic(pinned, target, undefined, 100, tag),
    };
  }
  const failedServing = serving.some(
    (r) => r === candidate || records.some((g) => g.revision === r && g.result === "failed"),
  );
  return failedServing
    ? { kind: "make-private", traffic: restored }
    : { kind: "unchanged", traffic: restored };
}

/** The gate-passed revision to fall back to: the largest passed share now, else the newest passed record. */
function lastPassed(input: FailurePolicyInput): string | undefined {
  const { records, candidate } = input;
  const ready = new Set(input.revisions.filter((r) => r.ready === "succeeded").map((r) => r.name));
  const usable = (revision: string | undefined): revision is string =>
    revision !== undefined && revision !== candidate && ready.has(revision) && hasPassed(records, revision);
  const byShare = [...input.pinned].filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent);
  const serving = byShare.find((t) => usable(t.revision))?.revision;
  if (serving) return serving;
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]!;
    if (!record.rolledBackAt && usable(record.revision)) return record.revision;
  }
  return undefined;
}
