import type { EnvironmentConfig } from "../config/environment-schema.js";
import { gateOf, hasPassed, readGateRecords } from "../model/gate-records.js";
import { readLock } from "../model/lock.js";
import { CANDIDATE_TAG } from "../model/name-limits.js";
import type { InvokerAccess } from "../platform/cloudrun/invoker-access.js";
import type { RevisionSnapshot, ServiceSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { Artifact } from "./artifact-types.js";
import { canaryStep, withoutPeerTag } from "./canary-peers.js";
import { buildCandidateTemplate, type EnvVar } from "./candidate-template.js";
import { failurePolicy, failureStages } from "./failure-policy.js";
import type { PlanAction, PromotionPlan } from "./plan-types.js";
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
  const actions: PlanAction[] = [];
  const serviceCheck = {
    target: "service" as const,
    expectVersion: artifact.version,
    expectRevision: candidate,
    ...identityToken,
  };
  if (alreadyServing) {
    actions.push({ kind: "smoke", check: serviceCheck }, ...makePublic);
    // A promotion killed after its shift left its lock, or never recorded the check on the
    // service URL: finishing it here is what makes the re-run converge.
    if (readLock(service.annotations) || gateOf(records, candidate)?.stage !== "service")
      actions.push({ kind: "finish" });
  } else {
    if (!service) {
      warnings.push({
        code: "service.new",
        message: `Service ${config.service.name} does not exist yet: it is created private (no public invoker) with ${candidate} as its only revision, gated with an identity token and made public only after the gate passes; if the gate fails the new service is deleted again.`,
      });
      actions.push({
        kind: "create-service",
        revision: candidate,
        traffic: [{ type: "REVISION", revision: candidate, percent: 100, tag }],
      });
    } else if (!existing) {
      actions.push({
        kind: "create-revision",
        revision: candidate,
        traffic: withCandidateTag(pinned, candidate, tag),
      });
    } else {
      actions.push({
        kind: "tag-candidate",
        revision: candidate,
        traffic: withCandidateTag(pinned, candidate, tag),
      });
    }
    actions.push({
      kind: "smoke",
      check: {
        target: "candidate",
        expectVersion: artifact.version,
        expectRevision: candidate,
        ...identityToken,
      },
    });
    // A canary needs a public service and a previous revision fit to keep the rest of the traffic.
    const canary =
      previousRevision !== undefined &&
      access === "public" &&
      gateOf(records, previousRevision)?.result !== "failed";
    const steps = canary ? config.rollout.steps : [100];
    for (const percent of steps) {
      const step = canaryStep(
        shiftedTraffic(pinned, candidate, previousRevision, percent, tag),
        previousRevision,
        percent,
        serviceCheck,
      );
      actions.push({ kind: "shift", percent, traffic: step.traffic });
      actions.push({ kind: "smoke", check: percent >= 100 ? serviceCheck : step.check });
    }
    actions.push(...makePublic, { kind: "finish" });
  }
  if (existing?.ready === "failed") {
    warnings.push({
      code: "candidate.failed",
      message: `${candidate} already exists and failed to start${existing.readyMessage ? `: ${existing.readyMessage}` : ""}.`,
    });
  }

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

export function sameTraffic(a: readonly TrafficTarget[], b: readonly TrafficTarget[]): boolean {
  const key = (t: TrafficTarget) => `${t.type}|${t.revision ?? ""}|${t.percent}|${t.tag ?? ""}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}
