import type { protos } from "@google-cloud/run";

// Plain-data views of Cloud Run v2 resources. Planning works on these; only the adapter sees protos.

export type IService = protos.google.cloud.run.v2.IService;
export type IRevision = protos.google.cloud.run.v2.IRevision;
export type IRevisionTemplate = protos.google.cloud.run.v2.IRevisionTemplate;

import type { TrafficTarget, TrafficType } from "@echogate/common/cloud-run-limits";

export type { TrafficTarget, TrafficType };

interface TrafficStatus extends TrafficTarget {
  /**
   * The revision this share goes to. Cloud Run names none on a LATEST status; the snapshot fills
   * in the service's latest ready revision, which is the one LATEST routes to.
   */
  revision?: string;
  /** Tag URL, when the target has a tag. */
  uri?: string;
}

type ConditionState = "succeeded" | "failed" | "reconciling" | "unknown";

export interface ServiceSnapshot {
  name: string;
  resourceName: string;
  etag: string;
  uri: string | undefined;
  generation: number;
  traffic: TrafficTarget[];
  trafficStatuses: TrafficStatus[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  templateRevision: string | undefined;
  latestReadyRevision: string | undefined;
  latestCreatedRevision: string | undefined;
  ready: ConditionState;
  readyMessage: string | undefined;
  createTime: string | undefined;
  updateTime: string | undefined;
}

export interface RevisionSnapshot {
  name: string;
  resourceName: string;
  image: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ready: ConditionState;
  readyMessage: string | undefined;
  createTime: string | undefined;
}

export function shortName(resourceName: string | null | undefined): string | undefined {
  if (!resourceName) return undefined;
  return resourceName.slice(resourceName.lastIndexOf("/") + 1);
}

/** Enums arrive as names or numbers depending on the transport's JSON options. */
function trafficTypeOf(raw: unknown, revision: string | undefined): TrafficType {
  const text = String(raw ?? "");
  if (text === "1" || text.endsWith("_LATEST")) return "LATEST";
  if (text === "2" || text.endsWith("_REVISION")) return "REVISION";
  return revision ? "REVISION" : "LATEST";
}

const WIRE_TRAFFIC_TYPE: Record<TrafficType, string> = {
  LATEST: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
  REVISION: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
};

export function toWireTraffic(
  traffic: readonly TrafficTarget[],
): protos.google.cloud.run.v2.ITrafficTarget[] {
  return traffic.map((t) => ({
    type: WIRE_TRAFFIC_TYPE[t.type] as unknown as protos.google.cloud.run.v2.TrafficTargetAllocationType,
    ...(t.revision ? { revision: t.revision } : {}),
    percent: t.percent,
    ...(t.tag ? { tag: t.tag } : {}),
  }));
}

/** What formatTraffic prints: a routing target, or a share of a split (no tag). */
interface TrafficShare {
  /** Absent for LATEST with no ready revision behind it. */
  revision?: string | undefined;
  percent: number;
  tag?: string | undefined;
}

/**
 * The one way traffic is printed: `r2 90%, r1 10% (tag candidate→r2)`, `no traffic` when no
 * revision has a share. `note` adds a word after a share, e.g. its gate.
 */
export function formatTraffic<T extends TrafficShare>(
  traffic: readonly T[],
  note?: (share: T) => string,
): string {
  const name = (t: TrafficShare) => t.revision ?? "LATEST";
  const shares = traffic
    .filter((t) => t.percent > 0)
    .map((t) => `${name(t)} ${t.percent}%${note ? ` ${note(t)}` : ""}`);
  const tags = traffic.filter((t) => t.tag).map((t) => `tag ${t.tag}→${name(t)}`);
  return [shares.join(", ") || "no traffic", ...(tags.length ? [`(${tags.join(", ")})`] : [])].join(" ");
}

function readTraffic(
  raw: readonly protos.google.cloud.run.v2.ITrafficTarget[] | null | undefined,
): TrafficTarget[] {
  return (raw ?? []).map((t) => {
    const revision = shortName(t.revision);
    const target: TrafficTarget = { type: trafficTypeOf(t.type, revision), percent: Number(t.percent ?? 0) };
    if (revision) target.revision = revision;
    if (t.tag) target.tag = t.tag;
    return target;
  });
}

function readStatuses(
  raw: readonly protos.google.cloud.run.v2.ITrafficTargetStatus[] | null | undefined,
  latestReady: string | undefined,
): TrafficStatus[] {
  return (raw ?? []).map((t) => {
    const named = shortName(t.revision);
    const type = trafficTypeOf(t.type, named);
    const revision = named ?? (type === "LATEST" ? latestReady : undefined);
    const status: TrafficStatus = { type, percent: Number(t.percent ?? 0) };
    if (revision) status.revision = revision;
    if (t.tag) status.tag = t.tag;
    if (t.uri) status.uri = t.uri;
    return status;
  });
}

function timestampToIso(
  raw: protos.google.protobuf.ITimestamp | string | null | undefined,
): string | undefined {
  if (!raw) return undefined;
  if (typeof raw === "string") return raw;
  const seconds = Number(raw.seconds ?? 0);
  if (!seconds) return undefined;
  return new Date(seconds * 1000 + Math.floor(Number(raw.nanos ?? 0) / 1e6)).toISOString();
}

function conditionState(raw: unknown): ConditionState {
  const text = String(raw ?? "");
  if (text === "CONDITION_SUCCEEDED" || text === "4") return "succeeded";
  if (text === "CONDITION_FAILED" || text === "3") return "failed";
  if (text === "CONDITION_RECONCILING" || text === "2" || text === "CONDITION_PENDING" || text === "1")
    return "reconciling";
  return "unknown";
}

function stringRecord(raw: Record<string, string> | null | undefined): Record<string, string> {
  return { ...(raw ?? {}) };
}

export function toServiceSnapshot(service: IService): ServiceSnapshot {
  const terminal = service.terminalCondition;
  const latestReady = shortName(service.latestReadyRevision);
  return {
    name: shortName(service.name) ?? "",
    resourceName: service.name ?? "",
    etag: service.etag ?? "",
    uri: service.uri || undefined,
    generation: Number(service.generation ?? 0),
    traffic: readTraffic(service.traffic),
    trafficStatuses: readStatuses(service.trafficStatuses, latestReady),
    labels: stringRecord(service.labels),
    annotations: stringRecord(service.annotations),
    templateRevision: service.template?.revision || undefined,
    latestReadyRevision: latestReady,
    latestCreatedRevision: shortName(service.latestCreatedRevision),
    ready: conditionState(terminal?.state),
    readyMessage: terminal?.message || undefined,
    createTime: timestampToIso(service.createTime),
    updateTime: timestampToIso(service.updateTime),
  };
}

export function toRevisionSnapshot(revision: IRevision): RevisionSnapshot {
  const ready = revision.conditions?.find((c) => c.type === "Ready");
  return {
    name: shortName(revision.name) ?? "",
    resourceName: revision.name ?? "",
    image: revision.containers?.[0]?.image ?? undefined,
    labels: stringRecord(revision.labels),
    annotations: stringRecord(revision.annotations),
    ready: conditionState(ready?.state),
    readyMessage: ready?.message || undefined,
    createTime: timestampToIso(revision.createTime),
  };
}
