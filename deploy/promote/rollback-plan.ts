import { CheckFailedError } from "../core/errors.js";
import { type GateRecord, gateOf, previousPassed, readGateRecords } from "../model/gate-records.js";
import { CANDIDATE_TAG } from "../model/name-limits.js";
import type { InvokerAccess } from "../platform/cloudrun/invoker-access.js";
import {
  formatTraffic,
  type RevisionSnapshot,
  type ServiceSnapshot,
  type TrafficTarget,
} from "../platform/cloudrun/service-model.js";
import type { FailureStage } from "./failure-policy.js";
import type { PlanAction } from "./plan-types.js";
import { currentSplit, pinTraffic, type SplitEntry, shiftedTraffic } from "./traffic-analysis.js";

/** Everything a rollback will do, decided before it does anything; applied by the same executor as a promotion. */
export interface RollbackPlan {
  kind: "rollback";
  environment: string;
  service: string;
  etag: string;
  /** The service URL the check after the shift runs on. */
  uri: string | undefined;
  /** A service that never went public (its first gate failed) is checked with an identity token. */
  access: InvokerAccess;
  current: { split: SplitEntry[]; revision: string | undefined; traffic: TrafficTarget[] };
  target: GateRecord;
  traffic: TrafficTarget[];
  /** Shift (marking the revision left as rolled back from), check the service URL, release the lock. */
  actions: PlanAction[];
  /** Traffic stays on the gate-passed target whatever happens after the shift: only the lock goes. */
  recovery: FailureStage[];
}

interface RollbackInput {
  environment: string;
  /** `echogate deploy <env>`, or `promote` for an environment that only receives promotions. */
  promotionCommand: string;
  service: ServiceSnapshot;
  revisions: readonly RevisionSnapshot[];
  /** Who may invoke the service now (read from its IAM policy). */
  access?: InvokerAccess;
  to?: string;
}

/** Pure: where traffic goes back to. Only a revision whose gate passed, and that still exists, qualifies. */
export function planRollback(input: RollbackInput): RollbackPlan {
  const { service } = input;
  const records = readGateRecords(service.annotations);
  const split = currentSplit(service, records);
  const current = split[0]?.revision;
  const target = rollbackTarget(input, records, current);
  const traffic = shiftedTraffic(pinTraffic(service), target.revision, undefined, 100, CANDIDATE_TAG);
  const access = input.access ?? "public";
  const leaving = records.find((record) => record.revision === current);
  const actions: PlanAction[] = [
    {
      kind: "shift",
      percent: 100,
      traffic,
      ...(leaving && leaving.revision !== target.revision ? { rolledBackFrom: leaving.revision } : {}),
    },
    {
      kind: "smoke",
      check: {
        target: "service",
        expectVersion: target.version,
        expectRevision: target.revision,
        ...(access === "private" ? { identityToken: true } : {}),
      },
    },
    { kind: "finish" },
  ];
  const unmoved = { kind: "release-lock" as const, title: "Leave traffic as it was, release the lock" };
  const keep = {
    kind: "release-lock" as const,
    title: `Keep traffic on ${formatTraffic(traffic)} (its gate passed before), release the lock`,
  };
  return {
    kind: "rollback",
    environment: input.environment,
    service: service.name,
    etag: service.etag,
    uri: service.uri,
    access,
    current: { split, revision: current, traffic: service.traffic },
    target,
    traffic,
    actions,
    recovery: [
      { from: 1, to: 1, gateFails: [unmoved], result: "refused", interrupted: [unmoved] },
      { from: 2, to: actions.length, gateFails: [keep], result: "rolled-back", interrupted: [keep] },
    ],
  };
}

function rollbackTarget(
  input: RollbackInput,
  records: GateRecord[],
  current: string | undefined,
): GateRecord {
  const existing = new Set(input.revisions.filter((r) => r.ready !== "failed").map((r) => r.name));
  if (!input.to) {
    const target = previousPassed(records, current, existing);
    if (!target) {
      throw new CheckFailedError(
        "rollback.none",
        `Can't roll back ${input.environment}: no earlier revision passed its gate.`,
        {
          hint: `Ship a fixed build instead (\`${input.promotionCommand}\`), or pass --to <revision>.`,
        },
      );
    }
    return target;
  }
  const target = gateOf(records, input.to);
  if (!existing.has(input.to)) {
    throw new CheckFailedError(
      "rollback.unknown-revision",
      `Can't roll back ${input.environment} to ${input.to}: the service has no such ready revision.`,
      { hint: "Run `echogate status` to see the revisions that passed their gate." },
    );
  }
  if (target?.result !== "passed") {
    throw new CheckFailedError(
      "rollback.not-gated",
      `Can't roll back ${input.environment} to ${input.to}: its gate ${target ? "failed" : "never ran"}.`,
      { hint: "Roll back to a revision that passed its gate, or omit --to to pick the previous one." },
    );
  }
  return target;
}
