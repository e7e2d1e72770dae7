import {
  checkRevisionName,
  checkServiceName,
  checkTraffic,
  MAX_REVISIONS_PER_SERVICE,
} from "@echogate/common/cloud-run-limits";
import { ApiError, GRPC_CODE, invalidArgument, notFound } from "./google-rest/api-error.js";
import { newServicePolicy } from "./iam-policy.js";
import { defaultServiceAccountOf } from "./project-number.js";
import { renderRevision, renderService, serviceEtag } from "./render.js";
import { generateRevisionName, type RandomSource } from "./revision-naming.js";
import { checkServiceMetadata, SERVICE_SETTINGS } from "./service-checks.js";
import type {
  EmulatorState,
  JsonObject,
  OperationRecord,
  RevisionRecord,
  RevisionSpec,
  ServiceRecord,
  StringMap,
  TrafficTarget,
} from "./state-types.js";
import { serviceKey } from "./state-types.js";
import {
  checkSpec,
  isObject,
  parseTemplate,
  sameSpec,
  stringMap,
  type TemplateDefaults,
} from "./template-spec.js";
import { defaultTraffic, parseTraffic, resolveTraffic, servingRevisions, WIRE_TYPE } from "./traffic.js";
import { applyFieldMask } from "./update-mask.js";

// Pure state transitions for the Services and Revisions APIs. Each function mutates the draft
// state it is given (the store commits it only if no error is thrown) and returns the operation.

export interface MutationContext {
  now: string;
  random: RandomSource;
  uuid(): string;
}

export interface ServiceRef {
  project: string;
  location: string;
  service: string;
}

interface ServiceInput {
  description?: string;
  labels: StringMap;
  annotations: StringMap;
  templateRevision?: string;
  template: RevisionSpec;
  traffic: TrafficTarget[];
  /** Service-level fields stored as sent: ingress, scaling, launchStage, invokerIamDisabled, … */
  settings: JsonObject;
  etag?: string;
}

function readInput(body: unknown, defaults: TemplateDefaults): ServiceInput {
  const b = isObject(body) ? body : {};
  const template = parseTemplate(b.template, defaults);
  const traffic = parseTraffic(b.traffic);
  return {
    ...(typeof b.description === "string" && b.description ? { description: b.description } : {}),
    labels: stringMap(b.labels),
    annotations: stringMap(b.annotations),
    ...(template.revision ? { templateRevision: template.revision } : {}),
    template: template.spec,
    traffic: traffic.length > 0 ? traffic : defaultTraffic(),
    settings: readSettings(b),
    ...(typeof b.etag === "string" && b.etag ? { etag: b.etag } : {}),
  };
}

function readSettings(body: JsonObject): JsonObject {
  const settings: JsonObject = {};
  for (const field of SERVICE_SETTINGS) {
    const value = body[field];
    const empty =
      value === undefined ||
      value === null ||
      value === false ||
      value === "" ||
      (Array.isArray(value) && value.length === 0) ||
      (isObject(value) && Object.keys(value).length === 0);
    if (!empty) settings[field] = structuredClone(value);
  }
  return settings;
}

/** The service as a request body would state it, so a masked update can overlay the request. */
function requestView(service: ServiceRecord): JsonObject {
  return {
    ...(service.description ? { description: service.description } : {}),
    labels: service.labels,
    annotations: service.annotations,
    template: {
      ...(service.templateRevision ? { revision: service.templateRevision } : {}),
      ...structuredClone(service.template),
    },
    traffic: service.traffic.map((t) => ({ ...t, type: WIRE_TYPE[t.type] })),
    ...structuredClone(service.settings ?? {}),
  };
}

/** Applies an update mask (checked paths, nested ones included) over the current service. */
function maskedInput(current: ServiceRecord, body: unknown, mask: string[][]): ServiceInput {
  const incoming = isObject(body) ? body : {};
  const merged = readInput(applyFieldMask(requestView(current), incoming, mask), templateDefaults(current));
  const etag = typeof incoming.etag === "string" && incoming.etag ? incoming.etag : undefined;
  return etag ? { ...merged, etag } : merged;
}

function templateDefaults(ref: { project: string }): TemplateDefaults {
  return { serviceAccount: defaultServiceAccountOf(ref.project) };
}

interface Plan {
  record: ServiceRecord;
  newRevision?: RevisionRecord;
}

function plan(
  state: EmulatorState,
  ref: ServiceRef,
  current: ServiceRecord | undefined,
  input: ServiceInput,
  ctx: MutationContext,
): Plan {
  const key = serviceKey(ref.project, ref.location, ref.service);
  const existing = state.revisions[key] ?? {};
  const violations = [...checkServiceMetadata(input, current), ...checkSpec(input.template)];

  // The stored template read with today's defaults: one stored before a default existed (the
  // startup probe, the service account) compares equal to the same template sent again.
  const specChanged =
    !current || !sameSpec(parseTemplate(current.template, templateDefaults(ref)).spec, input.template);
  const renamed =
    input.templateRevision !== undefined && input.templateRevision !== current?.latestCreatedRevision;
  const needsRevision = specChanged || renamed;

  if (input.templateRevision) {
    const nameCheck = checkRevisionName(input.templateRevision, ref.service);
    if (!nameCheck.ok) violations.push({ field: "template.revision", description: nameCheck.message });
  }
  if (violations.length > 0) throw invalidArgument(violations);

  let newRevision: RevisionRecord | undefined;
  let serial = current?.nextRevisionSerial ?? 1;
  if (needsRevision) {
    if (input.templateRevision && existing[input.templateRevision]) {
      throw new ApiError(
        "ALREADY_EXISTS",
        `Revision named '${input.templateRevision}' with different configuration already exists.`,
      );
    }
    let name = input.templateRevision;
    if (!name) {
      do {
        name = generateRevisionName(ref.service, serial, ctx.random);
        serial += 1;
      } while (existing[name]);
    }
    newRevision = {
      name,
      service: ref.service,
      uid: ctx.uuid(),
      generation: 1,
      createTime: ctx.now,
      updateTime: ctx.now,
      spec: structuredClone(input.template),
      phase: "pending",
    };
  }

  const known = new Set(Object.keys(existing));
  if (newRevision) known.add(newRevision.name);
  const trafficErrors = checkTraffic(input.traffic, ref.service, known);
  if (trafficErrors.length > 0) {
    throw invalidArgument(trafficErrors.map((description) => ({ field: "traffic", description })));
  }

  const record: ServiceRecord = {
    project: ref.project,
    location: ref.location,
    name: ref.service,
    uid: current?.uid ?? ctx.uuid(),
    ...(input.description ? { description: input.description } : {}),
    generation: (current?.generation ?? 0) + 1,
    observedGeneration: current?.observedGeneration ?? 0,
    labels: input.labels,
    annotations: input.annotations,
    createTime: current?.createTime ?? ctx.now,
    updateTime: ctx.now,
    ...(newRevision && input.templateRevision ? { templateRevision: input.templateRevision } : {}),
    ...(!newRevision && current?.templateRevision ? { templateRevision: current.templateRevision } : {}),
    template: structuredClone(input.template),
    traffic: input.traffic,
    latestCreatedRevision: newRevision?.name ?? current?.latestCreatedRevision ?? "",
    ...(current?.latestReadyRevision ? { latestReadyRevision: current.latestReadyRevision } : {}),
    nextRevisionSerial: serial,
    ...(current?.port ? { port: current.port } : {}),
    tagPorts: { ...(current?.tagPorts ?? {}) },
    ...(current
      ? current.iamPolicy
        ? { iamPolicy: current.iamPolicy }
        : {}
      : { iamPolicy: newServicePolicy() }),
    ...(Object.keys(input.settings).length > 0 ? { settings: input.settings } : {}),
    ...(current?.observedTraffic ? { observedTraffic: current.observedTraffic } : {}),
  };
  return newRevision ? { record, newRevision } : { record };
}

function newOperation(
  ref: ServiceRef,
  kind: OperationRecord["kind"],
  ctx: MutationContext,
  awaitRevision?: string,
): OperationRecord {
  return {
    id: ctx.uuid(),
    project: ref.project,
    location: ref.location,
    service: ref.service,
    kind,
    resultType: "service",
    createTime: ctx.now,
    ...(awaitRevision ? { awaitRevision } : {}),
    done: false,
  };
}

function commit(state: EmulatorState, ref: ServiceRef, p: Plan, op: OperationRecord): OperationRecord {
  const key = serviceKey(ref.project, ref.location, ref.service);
  state.services[key] = p.record;
  state.revisions[key] ??= {};
  if (p.newRevision) {
    state.revisions[key][p.newRevision.name] = p.newRevision;
    pruneRevisions(state, key);
  }
  state.operations[op.id] = op;
  return op;
}

/**
 * Cloud Run keeps at most 1,000 revisions per service: past that the oldest ones that serve no
 * traffic, carry no tag and are not the latest are deleted.
 */
function pruneRevisions(state: EmulatorState, key: string): void {
  const service = state.services[key];
  const revisions = state.revisions[key];
  if (!service || !revisions) return;
  let excess = Object.keys(revisions).length - MAX_REVISIONS_PER_SERVICE;
  if (excess <= 0) return;
  const kept = servingRevisions(resolveTraffic(service.traffic, service.latestReadyRevision));
  for (const t of service.traffic) if (t.revision) kept.add(t.revision);
  kept.add(service.latestCreatedRevision);
  if (service.latestReadyRevision) kept.add(service.latestReadyRevision);
  const oldestFirst = Object.values(revisions)
    .filter((r) => !kept.has(r.name) && r.phase !== "pending")
    .sort((a, b) => a.createTime.localeCompare(b.createTime) || a.name.localeCompare(b.name));
  for (const revision of oldestFirst) {
    if (excess <= 0) break;
    delete revisions[revision.name];
    excess -= 1;
  }
}

/** validateOnly: a finished operation whose response is the service as it would be. */
function validated(
  state: EmulatorState,
  ref: ServiceRef,
  p: Plan,
  kind: OperationRecord["kind"],
  ctx: MutationContext,
) {
  const preview = structuredClone(state);
  const op = commit(preview, ref, p, newOperation(ref, kind, ctx));
  delete preview.operations[op.id];
  return { ...op, done: true, response: renderService(preview, p.record) };
}

export function createService(
  state: EmulatorState,
  ref: ServiceRef,
  body: unknown,
  options: { validateOnly: boolean },
  ctx: MutationContext,
): OperationRecord {
  const nameCheck = checkServiceName(ref.service);
  if (!nameCheck.ok) throw invalidArgument([{ field: "service_id", description: nameCheck.message }]);
  if (state.services[serviceKey(ref.project, ref.location, ref.service)]) {
    throw new ApiError("ALREADY_EXISTS", `Resource '${ref.service}' already exists.`);
  }
  const p = plan(state, ref, undefined, readInput(body, templateDefaults(ref)), ctx);
  if (options.validateOnly) return validated(state, ref, p, "create", ctx);
  return commit(state, ref, p, newOperation(ref, "create", ctx, p.newRevision?.name));
}

export function updateService(
  state: EmulatorState,
  ref: ServiceRef,
  body: unknown,
  options: { validateOnly: boolean; allowMissing: boolean; updateMask: string[][] },
  ctx: MutationContext,
): OperationRecord {
  const current = state.services[serviceKey(ref.project, ref.location, ref.service)];
  if (!current) {
    if (!options.allowMissing) throw notFound("SERVICE", ref.service, ref.location, ref.project);
    return createService(state, ref, body, options, ctx);
  }
  const input =
    options.updateMask.length > 0
      ? maskedInput(current, body, options.updateMask)
      : readInput(body, templateDefaults(ref));
  checkEtag(input.etag, serviceEtag(current), ref.service);
  const p = plan(state, ref, current, input, ctx);
  if (options.validateOnly) return validated(state, ref, p, "update", ctx);
  return commit(state, ref, p, newOperation(ref, "update", ctx, p.newRevision?.name));
}

export function deleteService(
  state: EmulatorState,
  ref: ServiceRef,
  options: { validateOnly: boolean; etag?: string },
  ctx: MutationContext,
): OperationRecord {
  const key = serviceKey(ref.project, ref.location, ref.service);
  const current = state.services[key];
  if (!current) throw notFound("SERVICE", ref.service, ref.location, ref.project);
  checkEtag(options.etag, serviceEtag(current), ref.service);
  const snapshot = { ...renderService(state, current), deleteTime: ctx.now };
  const op: OperationRecord = { ...newOperation(ref, "delete", ctx), done: true, response: snapshot };
  if (options.validateOnly) return op;
  delete state.services[key];
  delete state.revisions[key];
  // An operation still running stays readable; the controller ends it (error: the service is gone).
  state.operations[op.id] = op;
  return op;
}

export function deleteRevision(
  state: EmulatorState,
  ref: ServiceRef,
  revisionName: string,
  options: { validateOnly: boolean; etag?: string },
  ctx: MutationContext,
): OperationRecord {
  const key = serviceKey(ref.project, ref.location, ref.service);
  const service = state.services[key];
  const revision = state.revisions[key]?.[revisionName];
  if (!service || !revision) throw notFound("REVISION", revisionName, ref.location, ref.project);
  checkEtag(options.etag, renderRevision(service, revision).etag as string, revisionName);
  const serving = servingRevisions(resolveTraffic(service.traffic, service.latestReadyRevision));
  if (serving.has(revisionName) || service.traffic.some((t) => t.revision === revisionName)) {
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Revision '${revisionName}' is referenced by the traffic configuration of service '${ref.service}' and cannot be deleted. Move its traffic and tags first.`,
    );
  }
  if (revisionName === service.latestCreatedRevision) {
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Revision '${revisionName}' is the latest created revision of service '${ref.service}' and cannot be deleted.`,
    );
  }
  const snapshot = renderRevision(service, revision);
  const op: OperationRecord = {
    ...newOperation(ref, "delete", ctx),
    resultType: "revision",
    done: true,
    snapshot,
    response: { ...snapshot, deleteTime: ctx.now },
  };
  if (options.validateOnly) return op;
  delete state.revisions[key]?.[revisionName];
  state.operations[op.id] = op;
  return op;
}

function checkEtag(given: string | undefined, current: string, name: string): void {
  if (given && given !== current) {
    throw new ApiError(
      "ABORTED",
      `The etag '${given}' of '${name}' is stale: the resource was modified concurrently (current etag '${current}'). Read it again and retry.`,
    );
  }
}

type RevisionOutcome = { ok: true } | { ok: false; message: string };

/** Records the result of starting a pending revision and updates its service. */
export function applyRevisionOutcome(
  state: EmulatorState,
  key: string,
  revisionName: string,
  outcome: RevisionOutcome,
  now: string,
): void {
  const revision = state.revisions[key]?.[revisionName];
  const service = state.services[key];
  if (!revision || !service || revision.phase !== "pending") return;
  revision.phase = outcome.ok ? "ready" : "failed";
  revision.phaseTime = now;
  revision.updateTime = now;
  if (!outcome.ok) revision.phaseMessage = outcome.message;
  if (revisionName !== service.latestCreatedRevision) return;
  if (outcome.ok) {
    service.latestReadyRevision = revisionName;
    delete service.failureMessage;
  } else {
    service.failureMessage = `Revision '${revisionName}' is not ready and cannot serve traffic. ${outcome.message}`;
  }
}

/** Finishes an operation: records the response or the error and marks the generation observed. */
export function completeOperation(state: EmulatorState, opId: string): void {
  const op = state.operations[opId];
  if (!op || op.done) return;
  const key = serviceKey(op.project, op.location, op.service);
  const service = state.services[key];
  op.done = true;
  if (!service) {
    op.error = { code: GRPC_CODE.NOT_FOUND, message: `Service '${op.service}' was deleted.` };
    return;
  }
  const awaited = op.awaitRevision ? state.revisions[key]?.[op.awaitRevision] : undefined;
  // A failed rollout leaves observedGeneration and the traffic statuses at the last serving state.
  if (awaited?.phase === "failed") {
    op.error = {
      code: GRPC_CODE.FAILED_PRECONDITION,
      message:
        `Revision '${awaited.name}' is not ready and cannot serve traffic. ${awaited.phaseMessage ?? ""}`.trim(),
    };
    return;
  }
  service.observedGeneration = service.generation;
  service.observedTraffic = structuredClone(service.traffic);
  op.response = renderService(state, service);
}
