import { environmentSchema } from "../../deploy/config/environment-schema.js";
import { GATES_ANNOTATION, type GateRecord } from "../../deploy/model/gate-records.js";
import type { InvokerAccess } from "../../deploy/platform/cloudrun/invoker-access.js";
import type {
  RevisionSnapshot,
  ServiceSnapshot,
  TrafficTarget,
} from "../../deploy/platform/cloudrun/service-model.js";
import type { Artifact } from "../../deploy/promote/artifact-types.js";
import { planPromotion } from "../../deploy/promote/plan.js";

/** Plain-data inputs for the pure planners (no platform involved). */
export const stagingConfig = (steps?: number[]) =>
  environmentSchema.parse({
    kind: "staging",
    service: {
      endpoint: "local",
      project: "p",
      regions: ["us-central1"],
      name: "chat-staging",
      envFile: ".env.staging",
    },
    ...(steps ? { rollout: { steps } } : {}),
  });

export const artifact: Artifact = {
  digest: `sha256:${"ab".repeat(32)}`,
  imageRef: `local/echogate-server@sha256:${"ab".repeat(32)}`,
  version: "0.1.0+abc1234",
  gitSha: "abc1234",
  source: "image",
};

export function gate(
  revision: string,
  result: GateRecord["result"],
  extra: Partial<GateRecord> = {},
): GateRecord {
  return {
    revision,
    version: `v-${revision}`,
    digest: `sha256:${revision}`,
    result,
    at: "2026-01-01T00:00:00Z",
    ...extra,
  };
}

export function serviceWith(
  traffic: TrafficTarget[],
  records: GateRecord[] = [],
  latest = traffic.find((t) => t.revision)?.revision,
): ServiceSnapshot {
  return {
    name: "chat-staging",
    resourceName: "projects/p/locations/us-central1/services/chat-staging",
    etag: "etag-1",
    uri: "http://127.0.0.1:1",
    generation: 3,
    traffic,
    trafficStatuses: [],
    labels: {},
    annotations: { [GATES_ANNOTATION]: JSON.stringify(records) },
    templateRevision: undefined,
    latestReadyRevision: latest,
    latestCreatedRevision: latest,
    ready: "succeeded",
    readyMessage: undefined,
    createTime: undefined,
    updateTime: undefined,
  };
}

export const revision = (name: string, ready: RevisionSnapshot["ready"] = "succeeded"): RevisionSnapshot => ({
  name,
  resourceName: name,
  image: undefined,
  labels: {},
  annotations: {},
  ready,
  readyMessage: undefined,
  createTime: undefined,
});

export const at = (revision: string, percent: number, tag?: string): TrafficTarget => ({
  type: "REVISION",
  revision,
  percent,
  ...(tag ? { tag } : {}),
});

export function planFor(
  service: ServiceSnapshot | undefined,
  options: { revisions?: RevisionSnapshot[]; access?: InvokerAccess; steps?: number[] } = {},
) {
  return planPromotion({
    environment: "staging",
    config: stagingConfig(options.steps),
    mode: "deploy",
    artifact,
    env: [{ name: "LOG_LEVEL", value: "info" }],
    service,
    revisions: options.revisions ?? [],
    ...(options.access ? { access: options.access } : {}),
  });
}

/** The candidate revision name this artifact and env get (deterministic). */
export const candidateName = () => planFor(undefined).candidate.revision;
