import { describe, expect, it } from "vitest";
import { planPromotion } from "../../deploy/promote/plan.js";
import type { PlannedSmoke } from "../../deploy/promote/plan-types.js";
import { planRollback } from "../../deploy/promote/rollback-plan.js";
import {
  artifact,
  at,
  candidateName,
  gate,
  planFor,
  revision,
  serviceWith,
  stagingConfig,
} from "../helpers/plan-fixtures.js";

const OLD = "chat-staging-old";
const OLDER = "chat-staging-older";

const checks = (p: ReturnType<typeof planFor>): PlannedSmoke[] =>
  p.actions.flatMap((a) => (a.kind === "smoke" ? [a.check] : []));

describe("already serving needs a passed gate", () => {
  it("a candidate at 100% counts as already serving only when its own gate passed", () => {
    const cand = candidateName();
    const at100 = [at(cand, 100)];
    expect(
      planFor(serviceWith(at100, [gate(cand, "passed")]), { revisions: [revision(cand)] }).alreadyServing,
    ).toBe(true);
    for (const records of [[gate(cand, "failed")], [], [gate(OLD, "passed")]]) {
      const p = planFor(serviceWith(at100, records), { revisions: [revision(cand)] });
      expect(p.alreadyServing).toBe(false);
      // The whole gate runs again before anything counts as served.
      expect(p.actions.map((a) => a.kind)).toContain("tag-candidate");
      expect(checks(p)[0]?.target).toBe("candidate");
    }
  });
});

describe("first deploys stay private until gated", () => {
  it("a new service is created private: every smoke carries an identity token; public only after the last smoke", () => {
    const p = planFor(undefined);
    expect(p.service.access).toBe("private");
    expect(checks(p).every((c) => c.identityToken === true)).toBe(true);
    const kinds = p.actions.map((a) => a.kind);
    expect(kinds.indexOf("make-public")).toBe(kinds.lastIndexOf("smoke") + 1);
    expect(p.onFailure).toEqual({ kind: "delete-service" });
  });

  it("a private service whose only revision never passed is gated again and stays private on failure", () => {
    const cand = candidateName();
    const p = planFor(serviceWith([at(cand, 100, "candidate")]), {
      revisions: [revision(cand)],
      access: "private",
    });
    expect(p.alreadyServing).toBe(false);
    expect(checks(p).every((c) => c.identityToken === true)).toBe(true);
    expect(p.actions.map((a) => a.kind)).toContain("make-public");
    expect(p.onFailure.kind).toBe("make-private");
  });

  it("a passed candidate on a private service (killed before going public) is re-checked, then made public", () => {
    const cand = candidateName();
    const p = planFor(serviceWith([at(cand, 100)], [gate(cand, "passed", { stage: "service" })]), {
      revisions: [revision(cand)],
      access: "private",
    });
    expect(p.alreadyServing).toBe(true);
    expect(p.actions.map((a) => a.kind)).toEqual(["smoke", "make-public"]);
    expect(checks(p)[0]).toMatchObject({ target: "service", identityToken: true });
  });

  it("a public service is never re-published and its checks carry no token", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "passed")]), {
      revisions: [revision(OLD)],
      access: "public",
    });
    expect(p.actions.map((a) => a.kind)).not.toContain("make-public");
    expect(checks(p).some((c) => c.identityToken)).toBe(false);
  });
});

describe("canary steps need a public service and a previous revision fit to keep the rest", () => {
  const shares = (p: ReturnType<typeof planFor>) =>
    p.actions.flatMap((a) => (a.kind === "shift" ? [a.percent] : []));

  it("a public service whose previous revision passed steps through the rollout, each partial step checking both", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "passed")]), {
      revisions: [revision(OLD)],
      access: "public",
      steps: [10, 50, 100],
    });
    expect(shares(p)).toEqual([10, 50, 100]);
    expect(
      checks(p)
        .filter((c) => c.peer)
        .map((c) => c.peer?.revision),
    ).toEqual([OLD, OLD]);
  });

  it("a previous revision whose gate failed gets no share: all traffic moves at once", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "failed")]), {
      revisions: [revision(OLD)],
      access: "public",
      steps: [10, 50, 100],
    });
    expect(shares(p)).toEqual([100]);
    expect(checks(p).some((c) => c.peer)).toBe(false);
    for (const action of p.actions)
      if (action.kind === "shift")
        expect(action.traffic.filter((t) => t.revision === OLD && t.percent > 0)).toEqual([]);
  });

  it("a private service moves all traffic at once, every check with a token, even when its previous revision passed", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "passed", { stage: "candidate" })]), {
      revisions: [revision(OLD)],
      access: "private",
      steps: [10, 50, 100],
    });
    expect(shares(p)).toEqual([100]);
    expect(checks(p).some((c) => c.peer)).toBe(false);
    expect(checks(p).every((c) => c.identityToken === true)).toBe(true);
  });
});

describe("failure policy: only gate-passed revisions are fallen back to", () => {
  it("restores the routing when everything serving passed its gate", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "passed")]), { revisions: [revision(OLD)] });
    expect(p.onFailure).toEqual({ kind: "restore", traffic: [at(OLD, 100)] });
  });

  it("a re-run after a kill mid-canary (candidate 50%) falls back to the passed revision at 100%, never the split", () => {
    const cand = candidateName();
    const svc = serviceWith(
      [at(cand, 50, "candidate"), at(OLD, 50)],
      [gate(OLD, "passed"), gate(cand, "passed")],
    );
    const p = planFor(svc, { revisions: [revision(OLD), revision(cand)], steps: [10, 50, 100] });
    expect(p.onFailure).toEqual({ kind: "last-passed", revision: OLD, traffic: [at(OLD, 100)] });
  });

  it("skips a failed revision in the split and goes to the newest passed one that is still ready", () => {
    const cand = candidateName();
    const svc = serviceWith(
      [at(OLD, 60), at(OLDER, 40)],
      [gate("chat-staging-gone", "passed"), gate(OLDER, "passed"), gate(OLD, "failed")],
    );
    const p = planFor(svc, { revisions: [revision(OLD), revision(OLDER), revision(cand)] });
    expect(p.onFailure).toMatchObject({ kind: "last-passed", revision: OLDER, traffic: [at(OLDER, 100)] });
    const rolledBack = serviceWith(
      [at(OLD, 100)],
      [gate(OLDER, "passed", { rolledBackAt: "t" }), gate(OLD, "failed")],
    );
    expect(planFor(rolledBack, { revisions: [revision(OLD), revision(OLDER)] }).onFailure.kind).toBe(
      "make-private",
    );
  });

  it("with no passed revision: private when a failed or the candidate serves, unchanged when an outside deploy serves", () => {
    const cand = candidateName();
    const failedServes = serviceWith([at(OLD, 100)], [gate(OLD, "failed")]);
    expect(planFor(failedServes, { revisions: [revision(OLD)] }).onFailure).toEqual({
      kind: "make-private",
      traffic: [at(OLD, 100)],
    });
    const outside = serviceWith([at(OLD, 100)]);
    expect(planFor(outside, { revisions: [revision(OLD)] }).onFailure).toEqual({
      kind: "unchanged",
      traffic: [at(OLD, 100)],
    });
    const candidateOnly = serviceWith([at(cand, 100)], [gate(cand, "passed")]);
    expect(
      planFor({ ...candidateOnly, traffic: [at(cand, 100)] }, { revisions: [revision(cand)] }).onFailure.kind,
    ).toBe("make-private");
  });
});

describe("rollback --to refuses revisions whose gate did not pass", () => {
  const svc = serviceWith([at(OLD, 100)], [gate(OLDER, "failed"), gate(OLD, "passed")]);
  const revisions = [revision(OLD), revision(OLDER), revision("chat-staging-manual")];
  const rollbackTo = (to: string) =>
    planRollback({
      environment: "staging",
      promotionCommand: "echogate deploy staging",
      service: svc,
      revisions,
      to,
    });

  it("a revision whose gate failed", () => {
    expect(() => rollbackTo(OLDER)).toThrow(/its gate failed/);
    expect(() => rollbackTo(OLDER)).toThrow(
      expect.objectContaining({ code: "rollback.not-gated", exitCode: 1 }),
    );
  });

  it("a revision whose gate never ran", () => {
    expect(() => rollbackTo("chat-staging-manual")).toThrow(/its gate never ran/);
  });

  it("a passed revision is accepted", () => {
    expect(rollbackTo(OLD).traffic).toEqual([at(OLD, 100)]);
  });
});

describe("rollback goes only to a passed revision that still starts and was not rolled back from", () => {
  const CURRENT = "chat-staging-current";
  const rollback = (
    records: ReturnType<typeof gate>[],
    revisions: ReturnType<typeof revision>[],
    to?: string,
  ) =>
    planRollback({
      environment: "staging",
      promotionCommand: "echogate deploy staging",
      service: serviceWith([at(CURRENT, 100)], records),
      revisions,
      ...(to ? { to } : {}),
    });
  const passedThree = [gate(OLDER, "passed"), gate(OLD, "passed"), gate(CURRENT, "passed")];

  it("a passed revision that now fails to start is refused by --to and skipped otherwise", () => {
    const revisions = [revision(OLDER), revision(OLD, "failed"), revision(CURRENT)];
    expect(() => rollback(passedThree, revisions, OLD)).toThrow(
      expect.objectContaining({ code: "rollback.unknown-revision" }),
    );
    expect(rollback(passedThree, revisions).target.revision).toBe(OLDER);
    expect(() => rollback(passedThree, [revision(OLD, "failed"), revision(CURRENT)])).toThrow(
      expect.objectContaining({ code: "rollback.none" }),
    );
  });

  it("a passed revision traffic was already rolled back from is skipped for the one before it", () => {
    const records = [
      gate(OLDER, "passed"),
      gate(OLD, "passed", { rolledBackAt: "t" }),
      gate(CURRENT, "passed"),
    ];
    const revisions = [revision(OLDER), revision(OLD), revision(CURRENT)];
    expect(rollback(passedThree, revisions).target.revision).toBe(OLD);
    const back = rollback(records, revisions);
    expect(back.target.revision).toBe(OLDER);
    expect(back.traffic).toEqual([at(OLDER, 100)]);
    expect(() => rollback(records.slice(1), revisions.slice(1))).toThrow(
      expect.objectContaining({ code: "rollback.none" }),
    );
  });
});

describe("a rollback is a plan the executor applies", () => {
  const CURRENT = "chat-staging-current";
  const plan = (access?: "public" | "private") =>
    planRollback({
      environment: "staging",
      promotionCommand: "echogate deploy staging",
      service: serviceWith([at(CURRENT, 100)], [gate(OLD, "passed"), gate(CURRENT, "passed")]),
      revisions: [revision(OLD), revision(CURRENT)],
      ...(access ? { access } : {}),
    });

  it("shifts to the target marking the revision it leaves, checks the service URL for the target, then finishes", () => {
    const rollback = plan();
    expect(rollback.actions).toEqual([
      { kind: "shift", percent: 100, traffic: [at(OLD, 100)], rolledBackFrom: CURRENT },
      {
        kind: "smoke",
        check: { target: "service", expectVersion: expect.any(String), expectRevision: OLD },
      },
      { kind: "finish" },
    ]);
  });

  it("checks a private service with an identity token", () => {
    const smoke = plan("private").actions.find((action) => action.kind === "smoke");
    expect(smoke).toMatchObject({ check: { identityToken: true } });
  });

  it("a failed check or an interruption after the shift leaves traffic on the gate-passed target and only releases the lock", () => {
    const [beforeShift, afterShift] = plan().recovery;
    expect(beforeShift).toMatchObject({ from: 1, to: 1, result: "refused" });
    expect(afterShift).toMatchObject({ from: 2, to: 3, result: "rolled-back" });
    for (const actions of [afterShift!.gateFails, afterShift!.interrupted])
      expect(actions.map((action) => action.kind)).toEqual(["release-lock"]);
  });
});

describe("a multi-region plan keeps its regions in lockstep", () => {
  it("every smoke is followed by the wait for the other regions' same smoke, before traffic moves", () => {
    const config = stagingConfig([10, 100]);
    const regions = ["us-central1", "europe-west1"];
    const plan = planPromotion({
      environment: "staging",
      config: { ...config, service: { ...config.service, regions } },
      mode: "deploy",
      artifact,
      env: [],
      service: serviceWith([at(OLD, 100)], [gate(OLD, "passed")]),
      revisions: [revision(OLD)],
      access: "public",
      region: "europe-west1",
    });
    expect(plan.actions.map((action) => action.kind)).toEqual([
      "create-revision",
      "smoke",
      "await-regions",
      "shift",
      "smoke",
      "await-regions",
      "shift",
      "smoke",
      "await-regions",
      "finish",
    ]);
    const waits = plan.actions.flatMap((action) => (action.kind === "await-regions" ? [action] : []));
    expect(waits.map(({ index, target }) => [index, target])).toEqual([
      [0, "candidate"],
      [1, "service"],
      [2, "service"],
    ]);
    expect(waits[0]!.regions).toEqual(regions);
    // A single-region plan has no wait.
    expect(planFor(undefined).actions.map((action) => action.kind)).not.toContain("await-regions");
  });
});
