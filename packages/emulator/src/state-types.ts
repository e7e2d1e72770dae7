// Persistent emulator state (state.json). Resource fields use the v2 JSON names (lowerCamelCase,
// enums as strings); status is kept as small internal facts and rendered to conditions on read.

import type { TrafficTarget, TrafficType } from "@echogate/common/cloud-run-limits";
import type { IamPolicyRecord } from "./iam-policy.js";

export type { TrafficTarget, TrafficType };

export type JsonObject = Record<string, unknown>;
export type StringMap = Record<string, string>;

export interface ContainerSpec {
  name?: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort?: number }[];
  resources?: JsonObject;
  workingDir?: string;
  [field: string]: unknown;
}

/** The revision-shaping part of a service template (everything except `revision`). */
export interface RevisionSpec {
  labels: StringMap;
  annotations: StringMap;
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
  timeout?: string;
  serviceAccount?: string;
  containers: ContainerSpec[];
  maxInstanceRequestConcurrency?: number;
  sessionAffinity?: boolean;
  executionEnvironment?: string;
  [field: string]: unknown;
}

type RevisionPhase = "pending" | "ready" | "failed";

export interface RevisionRecord {
  name: string;
  service: string;
  uid: string;
  generation: number;
  createTime: string;
  updateTime: string;
  spec: RevisionSpec;
  phase: RevisionPhase;
  phaseMessage?: string;
  phaseTime?: string;
}

export interface ServiceRecord {
  project: string;
  location: string;
  name: string;
  uid: string;
  description?: string;
  generation: number;
  observedGeneration: number;
  labels: StringMap;
  annotations: StringMap;
  createTime: string;
  updateTime: string;
  ingress?: string;
  launchStage?: string;
  templateRevision?: string;
  template: RevisionSpec;
  traffic: TrafficTarget[];
  latestCreatedRevision: string;
  latestReadyRevision?: string;
  /** Next revision serial (the 5 digits in generated revision names). */
  nextRevisionSerial: number;
  /** Message of the latest failed rollout, cleared on the next good one. */
  failureMessage?: string;
  /** Service-level fields stored as sent (ingress, scaling, launchStage, invokerIamDisabled, …). */
  settings?: JsonObject;
  /** The traffic of the last generation that reconciled; trafficStatuses show it. */
  observedTraffic?: TrafficTarget[];
  /** Loopback port of the service URL; kept so URLs survive restarts. */
  port?: number;
  tagPorts: Record<string, number>;
  /** Who may invoke it; absent on services stored before policies were kept (they stay public). */
  iamPolicy?: IamPolicyRecord;
}

export interface OperationRecord {
  id: string;
  project: string;
  location: string;
  service: string;
  kind: "create" | "update" | "delete";
  resultType: "service" | "revision";
  createTime: string;
  /** The revision whose readiness ends the operation, if the operation created one. */
  awaitRevision?: string;
  done: boolean;
  error?: { code: number; message: string };
  /** Rendered Service JSON at completion (or at deletion). */
  response?: JsonObject;
  /** Rendered Service JSON snapshot for deleted services. */
  snapshot?: JsonObject;
}

interface RevisionsByService {
  [serviceKey: string]: Record<string, RevisionRecord>;
}

export interface EmulatorState {
  schemaVersion: 1;
  services: Record<string, ServiceRecord>;
  revisions: RevisionsByService;
  operations: Record<string, OperationRecord>;
}

export function emptyState(): EmulatorState {
  return { schemaVersion: 1, services: {}, revisions: {}, operations: {} };
}

/** Key of a service in state: `projects/P/locations/L/services/S`. */
export function serviceKey(project: string, location: string, service: string): string {
  return `projects/${project}/locations/${location}/services/${service}`;
}
