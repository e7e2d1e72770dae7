import { CheckFailedError } from "../core/errors.js";
import { type GateRecord, gateOf, previousPassed, readGateRecords } from "../model/gate-records.js";
import { CANDIDATE_TAG } from "../model/name-limits.js";
import type { RevisionSnapshot, ServiceSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import { currentSplit, pinTraffic, type SplitEntry, shiftedTraffic } from "./traffic-analysis.js";

export interface RollbackPlan {
  kind: "rollback";
  environment: string;
  service: string;
  etag: string;
  current: { split: SplitEntry[]; revision: string | undefined };
  target: GateRecord;
  traffic: TrafficTarget[];
}

/** Pure: where traffic goes back to. Only a revision whose gate passed, and that still exists, qualifies. */
export function planRollback(input: {
  environment: string;
  /** `echogate deploy <env>`, or `promote` for an environment that only receives promotions. */
  promotionCommand: string;
  service: ServiceSnapshot;
  revisions: readonly RevisionSnapshot[];
  to?: string;
}): RollbackPlan {
  const { service } = input;
  const records = readGateRecords(service.annotations);
  const split = currentSplit(service, records);
  const current = split[0]?.revision;
  const existing = new Set(input.revisions.filter((r) => r.ready !== "failed").map((r) => r.name));
  let target: GateRecord | undefined;
  if (input.to) {
    target = gateOf(records, input.to);
    if (!existing.has(input.to)) {
      throw new CheckFailedError(
        "rollback.unknown-revision",
        `Can't roll back ${input.environment} to ${input.to}: the service has no such ready revision.`,
        {
          hint: "Run `echogate status` to see the revisions that passed their gate.",
        },
      );
    }
    if (target?.result !== "passed") {
      throw new CheckFailedError(
        "rollback.not-gated",
        `Can't roll back ${input.environment} to ${input.to}: its gate ${target ? "failed" : "never ran"}.`,
        {
          hint: "Roll back to a revision that passed its gate, or omit --to to pick the previous one.",
        },
      );
    }
  } else {
    target = previousPassed(records, current, existing);
    if (!target) {
      throw new CheckFailedError(
        "rollback.none",
        `Can't roll back ${input.environment}: no earlier revision passed its gate.`,
        {
          hint: `Ship a fixed build instead (\`${input.promotionCommand}\`), or pass --to <revision>.`,
        },
      );
    }
  }
  return {
    kind: "rollback",
    environment: input.environment,
    service: service.name,
    etag: service.etag,
    current: { split, revision: current },
    target,
    traffic: shiftedTraffic(pinTraffic(service), target.revision, undefined, 100, CANDIDATE_TAG),
  };
}
