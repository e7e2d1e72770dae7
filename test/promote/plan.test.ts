import { describe, expect, it } from "vitest";
import { environmentSchema } from "../../deploy/config/environment-schema.js";
import {
  type GateRecord,
  MAX_GATE_RECORDS,
  previousPassed,
  withGateRecord,
} from "../../deploy/model/gate-records.js";
import { judgeLock, LOCK_ANNOTATION, lockFor } from "../../deploy/model/lock.js";
import { assertNamesWithinLimits } from "../../deploy/model/name-limits.js";
import type {
  RevisionSnapshot,
  ServiceSnapshot,
  TrafficTarget,
} from "../../deploy/platform/cloudrun/service-model.js";
import type { Artifact } from "../../deploy/promote/artifact-types.js";
import { labelValue } from "../../deploy/promote/candidate-template.js";
import { planPromotion } from "../../deploy/promote/plan.js";
import { planRollback } from "../../deploy/promote/rollback-plan.js";
import { revision, serviceWith, stagingConfig } from "../helpers/plan-fixtures.js";

const config = stagingConfig();
const artifact: Artifact = {
  digest: `sha256:${"ab".repeat(32)}`,
  imageRef: `local/echogate-server@sha256:${"ab".repeat(32)}`,
  version: "0.1.0+abc1234",
  gitSha: "abc1234",
  source: "image",
};
const env = [{ name: "LOG_LEVEL", value: "info" }];

function record(revision: string, result: GateRecord["result"], at: string): GateRecord {
  return { revision, version: `v-${revision}`, digest: `sha256:${revision}`, result, at };
}

function service(
  traffic: TrafficTarget[],
  records: GateRecord[] = [],
  latestReady = "chat-staging-old",
): ServiceSnapshot {
  return serviceWith(traffic, records, latestReady);
}

const plan = (svc: ServiceSnapshot | undefined, revisions: RevisionSnapshot[] = [], cfg = config) =>
  planPromotion({
    environment: "staging",
    config: cfg,
    mode: "deploy",
    artifact,
    env,
    service: svc,
    revisions,
  });

describe("planPromotion", () => {
  it("names the candidate from digest and template, deterministically and within 63 chars", () => {
    const a = plan(undefined);
    const b = plan(undefined);
    expect(a.candidate.revision).toBe(b.candidate.revision);
    expect(a.candidate.revision).toMatch(/^chat-staging-abababa-[0-9a-f]{5}$/);
    expect(a.candidate.revision.length).toBeLessThanOrEqual(63);
    const other = planPromotion({
      environment: "staging",
      config,
      mode: "deploy",
      artifact,
      env: [{ name: "LOG_LEVEL", value: "debug" }],
      service: undefined,
      revisions: [],
    });
    expect(other.candidate.revision).not.toBe(a.candidate.revision);
  });

  it("creates a new service with the candidate as its only revision", () => {
    const p = plan(undefined);
    expect(p.actions.map((a) => a.kind)).toEqual([
      "create-service",
      "smoke",
      "shift",
      "smoke",
      "make-public",
      "finish",
    ]);
    expect(p.finalTraffic).toEqual([{ type: "REVISION", revision: p.candidate.revision, percent: 100 }]);
    expect(p.warnings.map((w) => w.code)).toContain("service.new");
  });

  it("pins LATEST before adding the candidate so creating it moves no traffic", () => {
    const p = plan(service([{ type: "LATEST", percent: 100 }], [record("chat-staging-old", "passed", "t1")]));
    const create = p.actions[0]!;
    expect(create.kind).toBe("create-revision");
    if (create.kind !== "create-revision") throw new Error();
    expect(create.traffic).toEqual([
      { type: "REVISION", revision: "chat-staging-old", percent: 100 },
      { type: "REVISION", revision: p.candidate.revision, percent: 0, tag: "candidate" },
    ]);
    expect(p.previousRevision).toBe("chat-staging-old");
    expect(p.rollbackTraffic).toEqual([{ type: "REVISION", revision: "chat-staging-old", percent: 100 }]);
    expect(p.finalTraffic).toEqual([{ type: "REVISION", revision: p.candidate.revision, percent: 100 }]);
  });

  it("drops the peer tag a killed canary left, so the next canary can tag its own previous revision", () => {
    const canaryConfig = environmentSchema.parse({
      ...config,
      service: { ...config.service, backplane: "redis" },
      rollout: { steps: [10, 100] },
    });
    // A canary killed after its shift, then re-run to 100 %: the old revision still holds `previous` at 0 %.
    const svc = service(
      [
        { type: "REVISION", revision: "chat-staging-new", percent: 100 },
        { type: "REVISION", revision: "chat-staging-old", percent: 0, tag: "previous" },
        { type: "REVISION", revision: "chat-staging-old", percent: 0, tag: "keep-me" },
      ],
      [record("chat-staging-old", "passed", "t1"), record("chat-staging-new", "passed", "t2")],
      "chat-staging-new",
    );
    const p = plan(svc, [], canaryConfig);
    const writes = p.actions.flatMap((a) => ("traffic" in a ? [a.traffic] : []));
    expect(writes.length).toBeGreaterThan(1);
    for (const traffic of writes) {
      const previousTags = traffic.filter((t) => t.tag === "previous");
      expect(previousTags.length).toBeLessThanOrEqual(1);
      for (const t of previousTags) expect(t.revision).toBe("chat-staging-new");
      expect(traffic).toContainEqual({
        type: "REVISION",
        revision: "chat-staging-old",
        percent: 0,
        tag: "keep-me",
      });
    }
    expect(p.finalTraffic.some((t) => t.tag === "previous")).toBe(false);
  });

  it("flags an old canary split and traffic pinned away from the latest revision", () => {
    const svc = service(
      [
        { type: "REVISION", revision: "chat-staging-a", percent: 90 },
        { type: "REVISION", revision: "chat-staging-b", percent: 10 },
      ],
      [record("chat-staging-a", "passed", "t1")],
      "chat-staging-c",
    );
    const p = plan(svc);
    const codes = p.warnings.map((w) => w.code);
    expect(codes).toEqual(expect.arrayContaining(["traffic.split", "traffic.pinned", "traffic.ungated"]));
    expect(p.warnings.find((w) => w.code === "traffic.split")!.message).toContain(
      "chat-staging-a 90%, chat-staging-b 10%",
    );
    // After the promotion exactly one revision serves, and the plan says so.
    expect(p.finalTraffic.filter((t) => t.percent > 0)).toEqual([
      { type: "REVISION", revision: p.candidate.revision, percent: 100 },
    ]);
  });

  it("keeps foreign tags at 0% and drops the candidate tag at 100%", () => {
    const svc = service(
      [
        { type: "REVISION", revision: "chat-staging-a", percent: 100, tag: "stable" },
        { type: "REVISION", revision: "chat-staging-x", percent: 0, tag: "candidate" },
      ],
      [record("chat-staging-a", "passed", "t1")],
      "chat-staging-a",
    );
    const p = plan(svc);
    expect(p.finalTraffic).toEqual([
      { type: "REVISION", revision: p.candidate.revision, percent: 100 },
      { type: "REVISION", revision: "chat-staging-a", percent: 0, tag: "stable" },
    ]);
  });

  it("steps traffic per rollout.steps with a smoke after each", () => {
    const stepped = environmentSchema.parse({ ...config, rollout: { steps: [10, 50, 100] } });
    const p = plan(
      service(
        [{ type: "REVISION", revision: "chat-staging-a", percent: 100 }],
        [record("chat-staging-a", "passed", "t")],
        "chat-staging-a",
      ),
      [],
      stepped,
    );
    const shifts = p.actions.filter((a) => a.kind === "shift");
    expect(
      shifts.map((s) =>
        s.kind === "shift"
          ? s.traffic
              .filter((t) => t.percent > 0)
              .map((t) => `${t.revision === p.candidate.revision ? "cand" : t.revision}:${t.percent}`)
          : [],
      ),
    ).toEqual([["cand:10", "chat-staging-a:90"], ["cand:50", "chat-staging-a:50"], ["cand:100"]]);
    const smokes = p.actions.filter((a) => a.kind === "smoke");
    expect(smokes).toHaveLength(4);
  });

  it("re-checks only when the candidate already serves 100% with a passed gate", () => {
    const first = plan(undefined);
    const cand = first.candidate.revision;
    const p = plan(
      service([{ type: "REVISION", revision: cand, percent: 100 }], [record(cand, "passed", "t")], cand),
      [revision(cand)],
    );
    expect(p.alreadyServing).toBe(true);
    // Its record lacks the service-URL check (killed after the shift): the re-check finishes it.
    expect(p.actions.map((a) => a.kind)).toEqual(["smoke", "finish"]);

    const finished = { ...record(cand, "passed", "t"), stage: "service" as const };
    const done = plan(service([{ type: "REVISION", revision: cand, percent: 100 }], [finished], cand), [
      revision(cand),
    ]);
    expect(done.actions.map((a) => a.kind)).toEqual(["smoke"]);

    const locked = service([{ type: "REVISION", revision: cand, percent: 100 }], [finished], cand);
    locked.annotations[LOCK_ANNOTATION] = JSON.stringify({
      id: "x",
      holder: "h",
      host: "h",
      pid: 1,
      command: "c",
      acquiredAt: "t",
      expiresAt: "t",
    });
    expect(plan(locked, [revision(cand)]).actions.map((a) => a.kind)).toEqual(["smoke", "finish"]);
  });

  it("re-uses an existing (e.g. interrupted) candidate instead of creating it again", () => {
    const cand = plan(undefined).candidate.revision;
    const svc = service(
      [
        { type: "REVISION", revision: "chat-staging-a", percent: 100 },
        { type: "REVISION", revision: cand, percent: 0, tag: "candidate" },
      ],
      [record("chat-staging-a", "passed", "t")],
      cand,
    );
    const p = plan(svc, [revision("chat-staging-a"), revision(cand)]);
    expect(p.actions[0]!.kind).toBe("tag-candidate");
    expect(p.rollbackTraffic).toEqual([{ type: "REVISION", revision: "chat-staging-a", percent: 100 }]);
  });
});

describe("gate records, rollback and lock", () => {
  it("keeps the last records, one per revision", () => {
    let records: GateRecord[] = [];
    for (let i = 0; i < MAX_GATE_RECORDS + 5; i++)
      records = withGateRecord(records, record(`r${i}`, "passed", `t${i}`));
    records = withGateRecord(records, record("r24", "failed", "t99"));
    expect(records).toHaveLength(MAX_GATE_RECORDS);
    expect(records.at(-1)).toMatchObject({ revision: "r24", result: "failed" });
  });

  it("rolls back to the newest passed revision older than the current one", () => {
    const records = [
      record("a", "passed", "1"),
      record("b", "failed", "2"),
      record("c", "passed", "3"),
      record("d", "passed", "4"),
    ];
    expect(previousPassed(records, "d", new Set(["a", "b", "c", "d"]))?.revision).toBe("c");
    expect(previousPassed(records, "d", new Set(["a", "b", "d"]))?.revision).toBe("a");
    expect(
      previousPassed(
        [{ ...records[0]! }, { ...records[2]!, rolledBackAt: "5" }, records[3]!],
        "a",
        new Set(["a", "c", "d"]),
      ),
    ).toBeUndefined();
    const svc = service(
      [{ type: "REVISION", revision: "chat-staging-d", percent: 100 }],
      [record("chat-staging-c", "passed", "1"), record("chat-staging-d", "passed", "2")],
      "chat-staging-d",
    );
    const rollback = planRollback({
      environment: "staging",
      promotionCommand: "echogate deploy staging",
      service: svc,
      revisions: [revision("chat-staging-c"), revision("chat-staging-d")],
    });
    expect(rollback.traffic).toEqual([{ type: "REVISION", revision: "chat-staging-c", percent: 100 }]);
    const nothingEarlier = () =>
      planRollback({
        environment: "production",
        promotionCommand: "echogate promote production",
        service: svc,
        revisions: [revision("chat-staging-d")],
      });
    expect(nothingEarlier).toThrow(/no earlier revision passed/);
    expect(nothingEarlier).toThrow(
      expect.objectContaining({ hint: expect.stringContaining("echogate promote production") }),
    );
  });

  it("judges locks: live holder, expired, dead pid on this host", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const owner = { id: "me", holder: "me@h", host: "h", pid: 1, command: "x" };
    const other = lockFor(
      { id: "other", holder: "ci@h", host: "h", pid: 4242, command: "echogate deploy staging" },
      now,
    );
    expect(judgeLock(other, owner, now, () => true).state).toBe("held");
    expect(judgeLock(other, owner, now, () => false).state).toBe("stale");
    expect(judgeLock(other, owner, new Date(Date.parse(other.expiresAt) + 1), () => true).state).toBe(
      "stale",
    );
    expect(judgeLock({ ...other, host: "elsewhere" }, owner, now, () => false).state).toBe("held");
    expect(judgeLock(lockFor(owner, now), owner, now, () => true).state).toBe("ours");
  });

  it("sanitizes label values and refuses names over Cloud Run's limits", () => {
    expect(labelValue("0.1.0+abc1234.dirty")).toBe("0-1-0_abc1234-dirty");
    const environment = (name: string) => ({
      name: "staging",
      file: "environments/staging.yaml",
      config: { ...config, service: { ...config.service, name } },
      locate: () => ({ file: "environments/staging.yaml" }),
    });
    expect(() => assertNamesWithinLimits(environment("a".repeat(40)))).toThrow(/cannot exceed 46 characters/);
    expect(() => assertNamesWithinLimits(environment("Chat_Staging"))).toThrow(/lowercase/);
    expect(() => assertNamesWithinLimits(environment("chat-staging"))).not.toThrow();
  });

  it("hints at the rule that was broken: shorten for length, rename for shape", () => {
    const hintFor = (name: string) => {
      try {
        assertNamesWithinLimits({
          name: "staging",
          file: "environments/staging.yaml",
          config: { ...config, service: { ...config.service, name } },
          locate: () => ({ file: "environments/staging.yaml" }),
        });
      } catch (error) {
        return (error as { hint?: string }).hint ?? "";
      }
      return "";
    };
    expect(hintFor("a".repeat(40))).toMatch(/^Shorten service\.name .*DNS label/);
    for (const bad of ["Echogate_Staging", "1echogate", "echogate-staging-"]) {
      expect(hintFor(bad)).toMatch(/^Rename service\.name .*starting with a letter/);
      expect(hintFor(bad)).not.toMatch(/Shorten/);
    }
  });
});
