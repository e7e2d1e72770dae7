import { createHash } from "node:crypto";
import { type Operation, operationOf } from "./google-rest/operations.js";
import type {
  EmulatorState,
  JsonObject,
  OperationRecord,
  RevisionRecord,
  ServiceRecord,
} from "./state-types.js";
import { serviceKey } from "./state-types.js";
import { resolveTraffic, WIRE_TYPE } from "./traffic.js";

// State records -> Cloud Run Admin API v2 JSON (proto3 JSON: lowerCamelCase, int64 as strings,
// enums as names, Any with @type).

const SERVICE_TYPE_URL = "type.googleapis.com/google.cloud.run.v2.Service";
const REVISION_TYPE_URL = "type.googleapis.com/google.cloud.run.v2.Revision";
const EMULATOR_PRINCIPAL = "emulator@echogate.local";

export function loopbackUrl(port: number | undefined): string | undefined {
  return port ? `http://127.0.0.1:${port}` : undefined;
}

/**
 * The same listener under the name standing for Cloud Run's deterministic URL
 * (`https://SERVICE-PROJECT_NUMBER.REGION.run.app`): `urls` lists it first, then the `uri` form.
 */
function deterministicLoopbackUrl(port: number): string {
  return `http://localhost:${port}`;
}

/** A strong entity tag, quoted as AIP-154 (and Cloud Run v2 on the wire) has it. */
function etagOf(...parts: (string | number)[]): string {
  return `"${createHash("sha256").update(parts.join(":")).digest("base64url").slice(0, 24)}"`;
}

/**
 * Cloud Run derives a service's etag from its update time: a write changes it, a rollout
 * finishing (status only) does not.
 */
export function serviceEtag(service: ServiceRecord): string {
  return etagOf(service.uid, service.generation, service.updateTime);
}

export function revisionResourceName(service: ServiceRecord, revision: string): string {
  return `${serviceKey(service.project, service.location, service.name)}/revisions/${revision}`;
}

function isReconciling(state: EmulatorState, key: string): boolean {
  return Object.values(state.operations).some(
    (op) => !op.done && serviceKey(op.project, op.location, op.service) === key,
  );
}

function condition(type: string, state: string, time: string, message?: string, extra: JsonObject = {}) {
  return { type, state, lastTransitionTime: time, ...(message ? { message } : {}), ...extra };
}

export function renderService(state: EmulatorState, service: ServiceRecord): JsonObject {
  const key = serviceKey(service.project, service.location, service.name);
  const revisions = state.revisions[key] ?? {};
  const reconciling = isReconciling(state, key);
  const latestCreated = revisions[service.latestCreatedRevision];
  const resolved = resolveTraffic(service.traffic, service.latestReadyRevision);
  // Until a generation reconciles there is no serving state: no URL, no traffic statuses.
  const served = service.observedGeneration > 0;
  const observed = resolveTraffic(
    service.observedTraffic ?? (served ? service.traffic : []),
    service.latestReadyRevision,
  );
  const routesBroken = resolved.some(
    (t) => t.percent > 0 && (!t.revision || revisions[t.revision]?.phase === "failed"),
  );
  const configState =
    latestCreated?.phase === "failed"
      ? "CONDITION_FAILED"
      : latestCreated?.phase === "pending"
        ? "CONDITION_RECONCILING"
        : "CONDITION_SUCCEEDED";
  const routesState = reconciling
    ? "CONDITION_RECONCILING"
    : routesBroken
      ? "CONDITION_FAILED"
      : "CONDITION_SUCCEEDED";
  const readyState =
    service.failureMessage || configState === "CONDITION_FAILED" || routesState === "CONDITION_FAILED"
      ? "CONDITION_FAILED"
      : reconciling || configState === "CONDITION_RECONCILING"
        ? "CONDITION_RECONCILING"
        : "CONDITION_SUCCEEDED";
  const time = service.updateTime;
  const uri = served ? loopbackUrl(service.port) : undefined;
  const settings = service.settings ?? {};
  return {
    name: key,
    ...(service.description ? { description: service.description } : {}),
    uid: service.uid,
    generation: String(service.generation),
    labels: service.labels,
    annotations: service.annotations,
    createTime: service.createTime,
    updateTime: service.updateTime,
    creator: EMULATOR_PRINCIPAL,
    lastModifier: EMULATOR_PRINCIPAL,
    ...settings,
    ingress: settings.ingress ?? "INGRESS_TRAFFIC_ALL",
    launchStage: settings.launchStage ?? "GA",
    template: {
      ...(service.templateRevision ? { revision: service.templateRevision } : {}),
      ...service.template,
    },
    traffic: service.traffic.map((t) => ({
      type: WIRE_TYPE[t.type],
      ...(t.revision ? { revision: t.revision } : {}),
      percent: t.percent,
      ...(t.tag ? { tag: t.tag } : {}),
    })),
    ...(uri && service.port ? { uri, urls: [deterministicLoopbackUrl(service.port), uri] } : {}),
    ...(served ? { observedGeneration: String(service.observedGeneration) } : {}),
    terminalCondition: condition(
      "Ready",
      readyState,
      time,
      readyState === "CONDITION_FAILED" ? service.failureMessage : undefined,
    ),
    conditions: [
      condition("RoutesReady", routesState, time),
      condition(
        "ConfigurationsReady",
        configState,
        time,
        configState === "CONDITION_FAILED" ? latestCreated?.phaseMessage : undefined,
      ),
    ],
    latestCreatedRevision: revisionResourceName(service, service.latestCreatedRevision),
    ...(service.latestReadyRevision
      ? { latestReadyRevision: revisionResourceName(service, service.latestReadyRevision) }
      : {}),
    // A LATEST status names no revision, as on Cloud Run: latestReadyRevision says which it is.
    trafficStatuses: observed.map((t) => {
      const tagUri = t.tag ? loopbackUrl(service.tagPorts[t.tag]) : undefined;
      return {
        type: WIRE_TYPE[t.type],
        ...(t.revision && t.type !== "LATEST" ? { revision: t.revision } : {}),
        percent: t.percent,
        ...(t.tag ? { tag: t.tag } : {}),
        ...(tagUri ? { uri: tagUri } : {}),
      };
    }),
    reconciling,
    etag: serviceEtag(service),
  };
}

const REVISION_READY_STATE = {
  pending: "CONDITION_RECONCILING",
  ready: "CONDITION_SUCCEEDED",
  failed: "CONDITION_FAILED",
} as const;

export function renderRevision(service: ServiceRecord, revision: RevisionRecord): JsonObject {
  const { labels, annotations, ...spec } = revision.spec;
  const time = revision.phaseTime ?? revision.updateTime;
  const readyExtra: JsonObject = revision.phaseMessage?.startsWith("Image ")
    ? { reason: "CONTAINER_MISSING" }
    : {};
  return {
    ...spec,
    name: revisionResourceName(service, revision.name),
    uid: revision.uid,
    generation: String(revision.generation),
    labels,
    annotations,
    createTime: revision.createTime,
    updateTime: revision.updateTime,
    launchStage: "GA",
    service: serviceKey(service.project, service.location, service.name),
    reconciling: revision.phase === "pending",
    conditions: [
      condition("Ready", REVISION_READY_STATE[revision.phase], time, revision.phaseMessage, readyExtra),
      condition("ContainerHealthy", REVISION_READY_STATE[revision.phase], time),
      condition("ResourcesAvailable", "CONDITION_SUCCEEDED", revision.createTime),
    ],
    observedGeneration: String(revision.generation),
    etag: etagOf(revision.uid, revision.phase === "pending" ? 0 : 1),
  };
}

function operationName(op: OperationRecord): string {
  return `projects/${op.project}/locations/${op.location}/operations/${op.id}`;
}

export function renderOperation(state: EmulatorState, op: OperationRecord): Operation {
  const typeUrl = op.resultType === "revision" ? REVISION_TYPE_URL : SERVICE_TYPE_URL;
  const live = state.services[serviceKey(op.project, op.location, op.service)];
  const metadata =
    op.response ?? (op.resultType !== "revision" && live ? renderService(state, live) : op.snapshot) ?? {};
  return operationOf(operationName(op), typeUrl, {
    done: op.done,
    metadata,
    error: op.error,
    response: op.response,
  });
}
