import type { EnvironmentConfig } from "../config/environment-schema.js";
import { type GateRecord, gateOf, hasPassed, readGateRecords } from "../model/gate-records.js";
import { readLock } from "../model/lock.js";
import { CANDIDATE_TAG } from "../model/name-limits.js";
import type { InvokerAccess } from "../platform/cloudrun/invoker-access.js";
import type { RevisionSnapshot, ServiceSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { Artifact } from "./artifact-types.js";
import { canaryStep, withoutPeerTag } from "./canary-peers.js";
import { buildCandidateTemplate, type EnvVar } from "./candidate-template.js";
import { failurePolicy, failureStages } from "./failure-policy.js";
import type { PlanAction, PlannedSmoke, PromotionPlan } from "./plan-types.js";
import type { ServiceMetadata } from "./service-metadata.js";
import {
  currentSplit,
  type PlanWarning,
  pinTraffic,
  restoredTraffic,
  shiftedTraffic,
  trafficWarnings,
  withCandidateTag,
} from "./traffic-analysis.js";

interface PlanInput {
  environment: string;
  config: EnvironmentConfig;
  mode: "deploy" | "promote";
  artifact: Artifact;
  /** The revision's env vars (from the environment's env file). */
  env: readonly EnvVar[];
  /** undefined when the service does not exist yet. */
  service: ServiceSnapshot | undefined;
  revisions: readonly RevisionSnapshot[];
  /** Who may invoke the service now (read from its IAM policy); ignored when it does not exist. */
  access?: InvokerAccess;
  /** Caller labels/annotations written on the service with every update (previews). */
  metadata?: ServiceMetadata;
  /** The region this plan deploys to (multi-region environments plan once per region). */
  region?: string;
}

/** Pure: inputs in, the plan out. No I/O, no clock; the executor applies it. */
export function planPromotion(input: PlanInput): PromotionPlan {
  const { config, service, artifact } = input;
  const tag = CANDIDATE_TAG;
  const template = buildCandidateTemplate({
    environment: input.environment,
    service: config.service,
    artifact,
    env: input.env,
  });
  const candidate = template.revision;
  const existing = input.revisions.find((r) => r.name === candidate);
  const records = service ? readGateRecords(service.annotations) : [];
  const split = currentSplit(service, records);
  const pinned = service ? withoutPeerTag(pinTraffic(service)) : [];
  const previousRevision = split.find((e) => e.revision && e.revision !== candidate)?.revision;
  const finalTraffic = shiftedTraffic(pinned, candidate, previousRevision, 100, tag);
  const alreadyServing =
    service !== undefined && hasPassed(records, candidate) && sameTraffic(service.traffic, finalTraffic);
  // A new service is created private; one whose first gate never passed is still private.
  const access: InvokerAccess = service ? (input.access ?? "public") : "private";
  const identityToken = access === "private" ? { identityToken: true } : {};
  const makePublic: PlanAction[] = access === "private" ? [{ kind: "make-public" }] : [];

  const warnings: PlanWarning[] = trafficWarnings(service, split, candidate);
  if (!service) {
    warnings.push({
      code: "service.new",
      message: `Service ${config.service.name} does not exist yet: it is created private (no public invoker) with ${candidate} as its only revision, gated with an identity token and made public only after the gate passes; if the gate fails the new service is deleted again.`,
    });
  }
  const serviceCheck: PlannedSmoke = {
    target: "service",
    expectVersion: artifact.version,
    expectRevision: candidate,
    ...identityToken,
  };
  const actions: PlanAction[] = alreadyServing
    ? recheckActions(service, records, candidate, serviceCheck, makePublic)
    : [
        candidateAction(service, existing, pinned, candidate, tag),
        { kind: "smoke", check: { ...serviceCheck, target: "candidate" } },
        ...rolloutActions({
          steps:
            // A canary needs a public service and a previous revision fit to keep the rest of the traffic.
            previousRevision !== undefined &&
            access === "public" &&
            gateOf(records, previousRevision)?.result !== "failed"
              ? config.rollout.steps
              : [100],
          pinned,
          candidate,
          previousRevision,
          tag,
          serviceCheck,
        }),
        ...makePublic,
        { kind: "finish" },
      ];
  if (existing?.ready === "failed") {
    warnings.push({
      code: "candidate.failed",
      message: `${candidate} already exists and failed to start${existing.readyMessage ? `: ${existing.readyMessage}` : ""}.`,
    });
  }

  if (config.service.regions.length > 1) inLockstep(actions, config.service.regions);
  const onFailure = failurePolicy({
    serviceExists: service !== undefined,
    pinned,
    records,
    revisions: input.revisions,
    candidate,
    tag,
  });
  const rollbackTraffic = restoredTraffic(pinned, tag);
  return {
    kind: "promotion",
    environment: input.environment,
    mode: input.mode,
    service: {
      name: config.service.name,
      project: config.service.project,
      region: input.region ?? config.service.regions[0]!,
      endpoint: config.service.endpoint,
      exists: service !== undefined,
      etag: service?.etag,
      uri: service?.uri,
      access,
      ...(input.metadata ? { metadata: input.metadata } : {}),
    },
    artifact,
    candidate: {
      revision: candidate,
      tag,
      exists: existing !== undefined,
      state: existing?.ready ?? "new",
      template,
      envKeys: template.env.map((e) => e.name),
    },
    current: { split, traffic: service?.traffic ?? [] },
    previousRevision,
    rollbackTraffic,
    onFailure,
    recovery: failureStages({
      policy: onFailure,
      actions,
      service: config.service.name,
      access,
      tag,
      restored: rollbackTraffic,
    }),
    finalTraffic,
    alreadyServing,
    actions,
    warnings,
  };
}

/** Every smoke is followed by the wait for the other regions' same smoke. */
function inLockstep(actions: PlanAction[], regions: readonly string[]): void {
  let index = 0;
  for (let at = 0; at < actions.length; at++) {
    const action = actions[at]!;
    if (action.kind !== "smoke") continue;
    actions.splice(at + 1, 0, {
      kind: "await-regions",
      index: index++,
      target: action.check.target,
      regions: [...regions],
    });
    at++;
  }
}

/** The candidate already serves 100% with a passed gate: only the service URL is checked again. */
function recheckActions(
  service: ServiceSnapshot,
  records: readonly GateRecord[],
  candidate: string,
  serviceCheck: PlannedSmoke,
  makePublic: PlanAction[],
): PlanAction[] {
  const actions: PlanAction[] = [{ kind: "smoke", check: serviceCheck }, ...makePublic];
  // A promotion killed after its shift left its lock, or never recorded the check on the
  // service URL: finishing it here is what makes the re-run converge.
  if (readLock(service.annotations) || gateOf(records, candidate)?.stage !== "service")
    actions.push({ kind: "finish" });
  return actions;
}

/** The candidate at 0% with its tag: a new service, a new revision, or an existing revision tagged. */
function candidateAction(
  service: ServiceSnapshot | undefined,
  existing: RevisionSnapshot | undefined,
  pinned: TrafficTarget[],
  candidate: string,
  tag: string,
): PlanAction {
  if (!service)
    return {
      kind: "create-service",
      revision: candidate,
      traffic: [{ type: "REVISION", revision: candidate, percent: 100, tag }],
    };
  const traffic = withCandidateTag(pinned, candidate, tag);
  return existing
    ? { kind: "tag-candidate", revision: candidate, traffic }
    : { kind: "create-revision", revision: candidate, traffic };
}

/** Each rollout step: traffic shifts, then the smoke that step needs (both revisions' tag URLs on a partial step). */
function rolloutActions(input: {
  steps: readonly number[];
  pinned: TrafficTarget[];
  candidate: string;
  previousRevision: string | undefined;
  tag: string;
  serviceCheck: PlannedSmoke;
}): PlanAction[] {
  const { pinned, candidate, previousRevision, tag, serviceCheck } = input;
  return input.steps.flatMap((percent): PlanAction[] => {
    const step = canaryStep(
      shiftedTraffic(pinned, candidate, previousRevision, percent, tag),
      previousRevision,
      percent,
      serviceCheck,
    );
    return [
      { kind: "shift", percent, traffic: step.traffic },
      { kind: "smoke", check: percent >= 100 ? serviceCheck : step.check },
    ];
  });
}

export function sameTraffic(a: readonly TrafficTarget[], b: readonly TrafficTarget[]): boolean {
  const key = (t: TrafficTarget) => `${t.type}|${t.revision ?? ""}|${t.percent}|${t.tag ?? ""}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}
