import { gateOf, readGateRecords } from "../../model/gate-records.js";
import type { IRevision, IService } from "../../platform/cloudrun/service-model.js";
import { toServiceSnapshot } from "../../platform/cloudrun/service-model.js";
import { formatSecretRef } from "../../platform/secretmanager/secret-ref.js";
import type { ContainerSettings, EnvKeyFact, GateFact, TargetFacts } from "../facts.js";
import { TRANSPORTS_KEY } from "./declared.js";
import { SECRET_CELL, valueDigest } from "./value-digest.js";

const ANNOTATION_VERSION = "echogate.dev/version";
const ANNOTATION_GIT_SHA = "echogate.dev/git-sha";
const ANNOTATION_DIGEST = "echogate.dev/digest";

/** The part of a revision drift reads: a Revision, or the Service's template when that is what serves. */
type RevisionLike = Pick<
  IRevision,
  "containers" | "scaling" | "timeout" | "maxInstanceRequestConcurrency" | "sessionAffinity" | "annotations"
>;

interface Serving {
  revision: string | undefined;
  percent: number;
  /** True when the service's template is the serving revision, so no revision read is needed. */
  templateServes: boolean;
}

/** Which revision has the most traffic (100% when settled), from the service alone. */
export function servingRevision(service: IService): Serving {
  const snapshot = toServiceSnapshot(service);
  const statuses = snapshot.trafficStatuses.length > 0 ? snapshot.trafficStatuses : snapshot.traffic;
  const top = [...statuses].sort((a, b) => b.percent - a.percent)[0];
  const revision = top
    ? top.type === "LATEST"
      ? snapshot.latestReadyRevision
      : top.revision
    : snapshot.latestReadyRevision;
  return {
    revision,
    percent: top?.percent ?? (revision ? 100 : 0),
    templateServes:
      revision !== undefined &&
      revision === snapshot.latestReadyRevision &&
      snapshot.latestReadyRevision === snapshot.latestCreatedRevision,
  };
}

/** Pure: the live facts of one service (and its serving revision) as plain data. Hashes every env value. */
export function serviceFacts(
  service: IService,
  serving: Serving,
  revision: RevisionLike,
  secretKeys: ReadonlySet<string>,
): Omit<TargetFacts, "column" | "environment" | "region" | "service" | "status"> {
  const container = revision.containers?.[0];
  const image = container?.image ?? undefined;
  const annotations = { ...(revision.annotations ?? {}) };
  const records = readGateRecords({ ...(service.annotations ?? {}) });
  const own = [...records].reverse().find((r) => r.revision === serving.revision);
  const env: EnvKeyFact[] = [];
  let pollingEnv: string | undefined;
  for (const variable of container?.env ?? []) {
    const key = variable.name ?? "";
    const secret = secretKeys.has(key) || Boolean(variable.valueSource) || variable.value == null;
    const value = variable.value ?? "";
    // A Secret Manager reference is compared by the version it pins, never by its value.
    const ref = variable.valueSource?.secretKeyRef;
    const shown = ref?.secret
      ? formatSecretRef({ secret: ref.secret, version: ref.version ?? "latest" })
      : undefined;
    env.push({ key, value: shown ?? (secret ? SECRET_CELL : valueDigest(value)), secret });
    if (!secret && TRANSPORTS_KEY.test(key) && /polling/i.test(value)) pollingEnv = key;
  }
  env.sort((a, b) => a.key.localeCompare(b.key));
  return {
    ...(service.uri ? { uri: service.uri } : {}),
    ...(serving.revision ? { servingRevision: serving.revision } : {}),
    servingPercent: serving.percent,
    ...(image ? { image } : {}),
    digest: digestOf(image) ?? annotations[ANNOTATION_DIGEST] ?? null,
    ...(annotations[ANNOTATION_VERSION] ? { recordedVersion: annotations[ANNOTATION_VERSION] } : {}),
    ...(annotations[ANNOTATION_GIT_SHA] ? { gitSha: annotations[ANNOTATION_GIT_SHA] } : {}),
    command: (container?.command ?? []).map(String),
    args: (container?.args ?? []).map(String),
    env,
    settings: settingsOf(revision, service),
    gate: {
      ...(own ? { result: own.result, at: own.at, version: own.version } : { result: "none" as const }),
      ...ungatedShares(service, serving.revision, records),
    },
    passedDigests: records.filter((r) => r.result === "passed" && !r.rolledBackAt).map((r) => r.digest),
    ...(pollingEnv ? { pollingEnv } : {}),
  };
}

export function digestOf(image: string | undefined): string | undefined {
  return image ? /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] : undefined;
}

function settingsOf(revision: RevisionLike, service: IService): ContainerSettings {
  const container = revision.containers?.[0];
  const limits = container?.resources?.limits ?? {};
  const minService = num(service.scaling?.minInstanceCount);
  return {
    port: num(container?.ports?.[0]?.containerPort) ?? 8080,
    concurrency: num(revision.maxInstanceRequestConcurrency) ?? 80,
    cpu: limits.cpu ?? null,
    memory: limits.memory ?? null,
    timeoutSeconds: seconds(revision.timeout) ?? 300,
    minInstances: Math.max(num(revision.scaling?.minInstanceCount) ?? 0, minService ?? 0),
    maxInstances: num(revision.scaling?.maxInstanceCount) ?? num(service.scaling?.maxInstanceCount) ?? 100,
    sessionAffinity: revision.sessionAffinity === true,
  };
}

/** int32/int64 arrive as numbers, strings or Long depending on the transport. */
function num(value: unknown): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = Number(String(value));
  return Number.isFinite(n) ? n : undefined;
}

/** A Duration: `"300s"` in JSON, `{ seconds }` decoded. */
function seconds(value: unknown): number | undefined {
  if (typeof value === "string") return num(value.replace(/s$/, ""));
  if (value && typeof value === "object") return num((value as { seconds?: unknown }).seconds);
  return undefined;
}

/** Revisions besides the main one that take traffic without a passed gate (a hand-made split). */
function ungatedShares(
  service: IService,
  main: string | undefined,
  records: ReturnType<typeof readGateRecords>,
): Pick<GateFact, "ungatedShares"> {
  const snapshot = toServiceSnapshot(service);
  const statuses = snapshot.trafficStatuses.length > 0 ? snapshot.trafficStatuses : snapshot.traffic;
  const shares = statuses.flatMap((status) => {
    const revision = status.type === "LATEST" ? snapshot.latestReadyRevision : status.revision;
    if (!revision || revision === main || status.percent <= 0) return [];
    const recorded = gateOf(records, revision)?.result;
    if (recorded === "passed") return [];
    return [{ revision, percent: status.percent, result: recorded ?? ("none" as const) }];
  });
  return shares.length > 0 ? { ungatedShares: shares } : {};
}
