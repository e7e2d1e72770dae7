import { type GateRecord, hasPassed } from "../model/gate-records.js";
import type { InvokerAccess } from "../platform/cloudrun/invoker-access.js";
import {
  formatTraffic,
  type RevisionSnapshot,
  type TrafficTarget,
} from "../platform/cloudrun/service-model.js";
import { restoredTraffic, shiftedTraffic } from "./traffic-analysis.js";

/**
 * What a failed gate leaves behind, decided when planning so the executor only applies it.
 * Traffic only ever goes back to revisions whose gate passed; with none to go back to, the
 * service is made private rather than left public on a failed or ungated build.
 */
export type FailurePolicy =
  /** The service this promotion creates is deleted again. */
  | { kind: "delete-service" }
  /** Traffic as it was (candidate tag removed): every revision serving it passed its gate. */
  | { kind: "restore"; traffic: TrafficTarget[] }
  /** 100% to the last revision that passed its gate (what served before included a failed or ungated one). */
  | { kind: "last-passed"; revision: string; traffic: TrafficTarget[] }
  /** Nothing this promotion may fall back to, but it never moved traffic there: left as it was. */
  | { kind: "unchanged"; traffic: TrafficTarget[] }
  /** No revision passed its gate and a failed or ungated one serves: no public invoker, traffic not moved. */
  | { kind: "make-private"; traffic: TrafficTarget[] };

interface FailurePolicyInput {
  serviceExists: boolean;
  /** The current routing with LATEST resolved (see pinTraffic). */
  pinned: readonly TrafficTarget[];
  records: readonly GateRecord[];
  revisions: readonly RevisionSnapshot[];
  candidate: string;
  tag: string;
}

export function failurePolicy(input: FailurePolicyInput): FailurePolicy {
  if (!input.serviceExists) return { kind: "delete-service" };
  const { pinned, records, candidate, tag } = input;
  const restored = restoredTraffic(pinned, tag);
  const serving = [...new Set(restored.filter((t) => t.percent > 0).map((t) => t.revision))];
  const passed = (revision: string | undefined) => revision !== candidate && hasPassed(records, revision);
  if (serving.length > 0 && serving.every(passed)) return { kind: "restore", traffic: restored };

  const target = lastPassed(input);
  if (target) {
    return {
      kind: "last-passed",
      revision: target,
      traffic: shiftedTraffic(pinned, target, undefined, 100, tag),
    };
  }
  const failedServing = serving.some(
    (r) => r === candidate || records.some((g) => g.revision === r && g.result === "failed"),
  );
  return failedServing
    ? { kind: "make-private", traffic: restored }
    : { kind: "unchanged", traffic: restored };
}

/** The gate-passed revision to fall back to: the largest passed share now, else the newest passed record. */
function lastPassed(input: FailurePolicyInput): string | undefined {
  const { records, candidate } = input;
  const ready = new Set(input.revisions.filter((r) => r.ready === "succeeded").map((r) => r.name));
  const usable = (revision: string | undefined): revision is string =>
    revision !== undefined && revision !== candidate && ready.has(revision) && hasPassed(records, revision);
  const byShare = [...input.pinned].filter((t) => t.percent > 0).sort((a, b) => b.percent - a.percent);
  const serving = byShare.find((t) => usable(t.revision))?.revision;
  if (serving) return serving;
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]!;
    if (!record.rolledBackAt && usable(record.revision)) return record.revision;
  }
  return undefined;
}

/** One thing the executor does when a promotion stops; planned here, only applied there. */
export type RecoveryAction =
  /** The service this promotion created goes again (its only revision did not pass). */
  | { kind: "delete-service"; title: string }
  /** allUsers loses the invoker role: no revision passed its gate. */
  | { kind: "make-private"; title: string }
  /** Traffic to `traffic` with the failed gate record; the lock goes in the same update. */
  | { kind: "set-traffic"; title: string; traffic: TrafficTarget[] }
  /** Interrupted before any shift: traffic as it was, candidate tag removed, lock released; no gate result. */
  | { kind: "restore-traffic"; title: string; traffic: TrafficTarget[] }
  /** Interrupted after a shift: the candidate passed on its tag URL, so its traffic stays; recorded, lock released. */
  | { kind: "record-passed"; title: string }
  /** A rollback stopped after its shift: traffic stays on the gate-passed revision, only the lock goes. */
  | { kind: "release-lock"; title: string };

/** What happens when the promotion stops at one of the plan's steps `from`…`to` (1-based, as printed). */
export interface FailureStage {
  from: number;
  to: number;
  /** A gate fails (or the candidate does not start) at one of these steps. */
  gateFails: RecoveryAction[];
  /** What the outcome then says. */
  result: "refused" | "rolled-back" | "private";
  /** The run is interrupted (Ctrl-C, SIGTERM) at one of these steps. */
  interrupted: RecoveryAction[];
}

interface FailureStagesInput {
  policy: FailurePolicy;
  /** The plan's action kinds, in order: a failure after the first shift finds traffic moved. */
  actions: readonly { kind: string }[];
  service: string;
  access: InvokerAccess;
  tag: string;
  /** The routing before the promotion, minus the candidate tag (what an interruption restores). */
  restored: TrafficTarget[];
}

/** The policy applied to each part of the plan: before traffic first moves, and after. */
export function failureStages(input: FailureStagesInput): FailureStage[] {
  const count = input.actions.length;
  const shiftAt = input.actions.findIndex((a) => a.kind === "shift") + 1;
  // A failure at the shift step itself (its write) finds traffic where it was.
  if (shiftAt === 0 || shiftAt === count) return [stage(input, 1, count, false)];
  return [stage(input, 1, shiftAt, false), stage(input, shiftAt + 1, count, true)];
}

function stage(input: FailureStagesInput, from: number, to: number, shifted: boolean): FailureStage {
  return {
    from,
    to,
    ...onGateFailure(input, shifted),
    interrupted: onInterrupt(input, shifted),
  };
}

function onGateFailure(
  input: FailureStagesInput,
  shifted: boolean,
): Pick<FailureStage, "gateFails" | "result"> {
  const { policy, service, tag } = input;
  if (policy.kind === "delete-service") {
    return {
      gateFails: [
        {
          kind: "delete-service",
          title: `Delete new service ${service} (its only revision failed the gate)`,
        },
      ],
      result: shifted ? "rolled-back" : "refused",
    };
  }
  if (policy.kind === "last-passed") {
    return {
      gateFails: [
        {
          kind: "set-traffic",
          title: `Move traffic to ${policy.revision}, the last revision that passed its gate`,
          traffic: policy.traffic,
        },
      ],
      result: "rolled-back",
    };
  }
  const traffic: RecoveryAction = {
    kind: "set-traffic",
    title: shifted
      ? `Roll traffic back: ${formatTraffic(policy.traffic)}`
      : `Leave traffic as it was, remove tag ${tag}`,
    traffic: policy.traffic,
  };
  if (policy.kind === "make-private") {
    const revoke: RecoveryAction[] =
      input.access === "public"
        ? [{ kind: "make-private", title: `Make ${service} private: no revision passed its gate` }]
        : [];
    return { gateFails: [...revoke, traffic], result: "private" };
  }
  return { gateFails: [traffic], result: shifted ? "rolled-back" : "refused" };
}

function onInterrupt(input: FailureStagesInput, shifted: boolean): RecoveryAction[] {
  if (shifted)
    return [
      {
        kind: "record-passed",
        title:
          "Keep traffic where it is (the candidate passed on its tag URL), record that, release the lock",
      },
    ];
  if (input.policy.kind === "delete-service")
    return [{ kind: "delete-service", title: `Delete new service ${input.service}` }];
  return [
    {
      kind: "restore-traffic",
      title: `Leave traffic as it was (${formatTraffic(input.restored)}), remove tag ${input.tag}`,
      traffic: input.restored,
    },
  ];
}
