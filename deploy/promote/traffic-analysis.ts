import { type GateRecord, gateOf } from "../model/gate-records.js";
import {
  formatTraffic,
  type ServiceSnapshot,
  type TrafficTarget,
} from "../platform/cloudrun/service-model.js";

export interface SplitEntry {
  revision: string | undefined;
  percent: number;
  tags: string[];
  /** Reaches this revision through a LATEST target (moves when a new revision is created). */
  viaLatest: boolean;
  gate: "passed" | "failed" | "none";
}

export interface PlanWarning {
  code: string;
  message: string;
}

/** Who gets traffic now, one entry per revision with a share, largest first. */
export function currentSplit(
  service: ServiceSnapshot | undefined,
  records: readonly GateRecord[],
): SplitEntry[] {
  if (!service) return [];
  const byRevision = new Map<string, SplitEntry>();
  for (const target of service.traffic) {
    const revision = target.type === "LATEST" ? service.latestReadyRevision : target.revision;
    const key = revision ?? "(none ready)";
    const entry = byRevision.get(key) ?? {
      revision,
      percent: 0,
      tags: [],
      viaLatest: false,
      gate: gateOf(records, revision)?.result ?? "none",
    };
    entry.percent += target.percent;
    if (target.tag) entry.tags.push(target.tag);
    if (target.type === "LATEST") entry.viaLatest = true;
    byRevision.set(key, entry);
  }
  return [...byRevision.values()].filter((e) => e.percent > 0).sort((a, b) => b.percent - a.percent);
}

/**
 * The same routing with LATEST replaced by the revision it resolves to, so creating a new revision
 * in the same update can't move traffic to it implicitly.
 */
export function pinTraffic(service: ServiceSnapshot): TrafficTarget[] {
  return service.traffic.flatMap((t): TrafficTarget[] => {
    if (t.type !== "LATEST") return [{ ...t }];
    if (!service.latestReadyRevision) return t.percent > 0 ? [] : [];
    return [
      {
        type: "REVISION",
        revision: service.latestReadyRevision,
        percent: t.percent,
        ...(t.tag ? { tag: t.tag } : {}),
      },
    ];
  });
}

/** Current routing plus the candidate tag at 0% (moved off any other revision). */
export function withCandidateTag(
  pinned: readonly TrafficTarget[],
  candidate: string,
  tag: string,
): TrafficTarget[] {
  const out: TrafficTarget[] = [];
  let tagged = false;
  for (const t of pinned) {
    if (t.tag === tag && t.revision !== candidate) {
      if (t.percent > 0) out.push(withoutTag(t));
      continue;
    }
    if (t.revision === candidate && !tagged) {
      out.push({ ...t, tag });
      tagged = true;
      continue;
    }
    out.push({ ...t });
  }
  if (!tagged) out.push({ type: "REVISION", revision: candidate, percent: 0, tag });
  return out;
}

/**
 * Candidate at `percent`, the previous revision the rest; other tags are kept at 0%. At 100 the
 * candidate tag goes too, leaving exactly one revision with traffic.
 */
export function shiftedTraffic(
  pinned: readonly TrafficTarget[],
  candidate: string,
  previous: string | undefined,
  percent: number,
  candidateTag: string,
): TrafficTarget[] {
  const final = percent >= 100 || !previous;
  const out: TrafficTarget[] = [
    {
      type: "REVISION",
      revision: candidate,
      percent: final ? 100 : percent,
      ...(final ? {} : { tag: candidateTag }),
    },
  ];
  if (!final) out.push({ type: "REVISION", revision: previous, percent: 100 - percent });
  for (const t of pinned) {
    if (!t.tag || t.tag === candidateTag) continue;
    out.push({ type: "REVISION", ...(t.revision ? { revision: t.revision } : {}), percent: 0, tag: t.tag });
  }
  return out;
}

/** Routing as it was before the promotion, minus the candidate tag. */
export function restoredTraffic(pinned: readonly TrafficTarget[], candidateTag: string): TrafficTarget[] {
  return pinned.flatMap((t) => (t.tag !== candidateTag ? [{ ...t }] : t.percent > 0 ? [withoutTag(t)] : []));
}

function withoutTag(t: TrafficTarget): TrafficTarget {
  const { tag: _tag, ...rest } = t;
  return rest;
}

/** The known traps: traffic pinned where a deploy won't move it, old canaries, ungated revisions. */
export function trafficWarnings(
  service: ServiceSnapshot | undefined,
  split: readonly SplitEntry[],
  candidate: string,
): PlanWarning[] {
  if (!service) return [];
  const warnings: PlanWarning[] = [];
  const shares = formatTraffic(split);
  if (split.length > 1) {
    warnings.push({
      code: "traffic.split",
      message: `Traffic is split (${shares}), e.g. an old manual canary; the promotion moves all of it to ${candidate}.`,
    });
  }
  const latest = service.latestReadyRevision;
  const pinnedOnly = service.traffic.every((t) => t.type === "REVISION" || t.percent === 0);
  if (latest && pinnedOnly && !split.some((e) => e.revision === latest) && latest !== candidate) {
    warnings.push({
      code: "traffic.pinned",
      message: `Traffic is pinned to ${split.length > 0 ? shares : "no revision"}; the latest ready revision ${latest} gets none (the \`gcloud run deploy --no-traffic\` trap: new revisions never get traffic by themselves).`,
    });
  }
  for (const entry of split) {
    if (entry.gate === "none" && entry.revision !== candidate) {
      warnings.push({
        code: "traffic.ungated",
        message: `${entry.revision ?? "(none)"} serves ${entry.percent}% with no gate record (deployed outside echogate?); it is not a rollback target.`,
      });
    } else if (entry.gate === "failed") {
      warnings.push({
        code: "traffic.failed-gate",
        message: `${entry.revision} serves ${entry.percent}% although its gate failed.`,
      });
    }
  }
  return warnings;
}
