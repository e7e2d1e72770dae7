import type { RandomSource } from "./revision-naming.js";
import type { TrafficTarget, TrafficType } from "./state-types.js";

const TYPE_BY_WIRE: Record<string, TrafficType | undefined> = {
  "1": "LATEST",
  "2": "REVISION",
  TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST: "LATEST",
  TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION: "REVISION",
};

export const WIRE_TYPE: Record<TrafficType, string> = {
  LATEST: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
  REVISION: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
};

/** Reads `traffic` from request JSON; enums may be numbers (enum-encoding=int) or names. */
export function parseTraffic(raw: unknown): TrafficTarget[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((item: Record<string, unknown>) => {
    const revision =
      typeof item.revision === "string" && item.revision ? shortName(item.revision) : undefined;
    const wireType = item.type === undefined ? undefined : String(item.type);
    const type: TrafficType =
      (wireType ? TYPE_BY_WIRE[wireType] : undefined) ?? (revision ? "REVISION" : "LATEST");
    const target: TrafficTarget = { type, percent: Number(item.percent ?? 0) };
    if (revision) target.revision = revision;
    if (typeof item.tag === "string" && item.tag) target.tag = item.tag;
    return target;
  });
}

export function defaultTraffic(): TrafficTarget[] {
  return [{ type: "LATEST", percent: 100 }];
}

interface ResolvedTarget {
  type: TrafficType;
  /** Concrete revision; undefined when LATEST has no ready revision yet. */
  revision: string | undefined;
  percent: number;
  tag?: string;
}

export function resolveTraffic(
  traffic: readonly TrafficTarget[],
  latestReady: string | undefined,
): ResolvedTarget[] {
  return traffic.map((t) => ({
    type: t.type,
    revision: t.type === "LATEST" ? latestReady : t.revision,
    percent: t.percent,
    ...(t.tag ? { tag: t.tag } : {}),
  }));
}

/** Percent per revision, only revisions with a share. */
export function trafficWeights(resolved: readonly ResolvedTarget[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const t of resolved) {
    if (!t.revision || t.percent <= 0) continue;
    weights.set(t.revision, (weights.get(t.revision) ?? 0) + t.percent);
  }
  return weights;
}

/** Revisions that must be running: those with a share or a tag. */
export function servingRevisions(resolved: readonly ResolvedTarget[]): Set<string> {
  const names = new Set<string>();
  for (const t of resolved) if (t.revision && (t.percent > 0 || t.tag)) names.add(t.revision);
  return names;
}

/** Weighted random choice, one per connection, like Cloud Run's per-request split. */
export function pickRevision(weights: ReadonlyMap<string, number>, random: RandomSource): string | undefined {
  let total = 0;
  for (const w of weights.values()) total += w;
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const [revision, weight] of weights) {
    point -= weight;
    if (point < 0) return revision;
  }
  return [...weights.keys()].at(-1);
}

export function shortName(resourceName: string): string {
  return resourceName.slice(resourceName.lastIndexOf("/") + 1);
}
