import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { renderPlan, renderRollbackPlan } from "../../deploy/promote/render-promotion.js";
import { planRollback } from "../../deploy/promote/rollback-plan.js";
import { at, candidateName, gate, planFor, revision, serviceWith } from "../helpers/plan-fixtures.js";

// The plan carries what a failed gate or an interruption leaves behind at each step: the executor only applies it, and --dry-run prints it.

const OLD = "chat-staging-old";
const OLDER = "chat-staging-older";
const plain = pc.createColors(false);

describe("plan.recovery: the failure policy per step", () => {
  it("a canary: before the first shift traffic is left as it was; after it, traffic goes back", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "passed")]), {
      revisions: [revision(OLD)],
      access: "public",
      steps: [10, 50, 100],
    });
    const shiftStep = p.actions.findIndex((a) => a.kind === "shift") + 1;
    expect(p.recovery.map(({ from, to, result }) => ({ from, to, result }))).toEqual([
      { from: 1, to: shiftStep, result: "refused" },
      { from: shiftStep + 1, to: p.actions.length, result: "rolled-back" },
    ]);
    const [before, after] = p.recovery;
    expect(before!.gateFails).toEqual([
      {
        kind: "set-traffic",
        title: "Leave traffic as it was, remove tag candidate",
        traffic: [at(OLD, 100)],
      },
    ]);
    expect(after!.gateFails).toEqual([
      { kind: "set-traffic", title: `Roll traffic back: ${OLD} 100%`, traffic: [at(OLD, 100)] },
    ]);
    expect(before!.interrupted).toMatchObject([{ kind: "restore-traffic", traffic: p.rollbackTraffic }]);
    expect(after!.interrupted).toMatchObject([{ kind: "record-passed" }]);
  });

  it("a new service is deleted again at any step; interrupted after the shift it keeps its passed candidate", () => {
    const p = planFor(undefined);
    expect(p.recovery).toHaveLength(2);
    for (const stage of p.recovery) expect(stage.gateFails.map((a) => a.kind)).toEqual(["delete-service"]);
    expect(p.recovery.map((s) => s.result)).toEqual(["refused", "rolled-back"]);
    expect(p.recovery.map((s) => s.interrupted.map((a) => a.kind))).toEqual([
      ["delete-service"],
      ["record-passed"],
    ]);
  });

  it("falls back to the last passed revision from the first step on", () => {
    const svc = serviceWith([at(OLD, 60), at(OLDER, 40)], [gate(OLDER, "passed"), gate(OLD, "failed")]);
    const p = planFor(svc, { revisions: [revision(OLD), revision(OLDER)] });
    for (const stage of p.recovery) {
      expect(stage.result).toBe("rolled-back");
      expect(stage.gateFails).toEqual([
        {
          kind: "set-traffic",
          title: `Move traffic to ${OLDER}, the last revision that passed its gate`,
          traffic: [at(OLDER, 100)],
        },
      ]);
    }
  });

  it("with nothing passed to go back to: a public service is made private first; a private one stays", () => {
    const failedServes = serviceWith([at(OLD, 100)], [gate(OLD, "failed")]);
    const pub = planFor(failedServes, { revisions: [revision(OLD)], access: "public" });
    expect(pub.recovery[0]!.gateFails.map((a) => a.kind)).toEqual(["make-private", "set-traffic"]);
    expect(pub.recovery.every((s) => s.result === "private")).toBe(true);
    const priv = planFor(failedServes, { revisions: [revision(OLD)], access: "private" });
    expect(priv.recovery[0]!.gateFails.map((a) => a.kind)).toEqual(["set-traffic"]);
  });

  it("an already-serving re-check has one stage: nothing moved before it", () => {
    const cand = candidateName();
    const p = planFor(serviceWith([at(cand, 100)], [gate(OLD, "passed"), gate(cand, "passed")]), {
      revisions: [revision(OLD), revision(cand)],
    });
    expect(p.alreadyServing).toBe(true);
    expect(p.recovery).toEqual([
      expect.objectContaining({ from: 1, to: p.actions.length, result: "rolled-back" }),
    ]);
    expect(p.recovery[0]!.gateFails[0]).toMatchObject({ kind: "set-traffic", traffic: [at(OLD, 100)] });
  });
});

describe("--dry-run's plan text", () => {
  it("prints what is rolled back to, at which steps, on a failed gate and on an interruption", () => {
    const p = planFor(serviceWith([at(OLD, 100)], [gate(OLD, "passed")]), {
      revisions: [revision(OLD)],
      access: "public",
      steps: [10, 50, 100],
    });
    const text = renderPlan(p, plain);
    const section = (title: string) => {
      const lines = text.split("\n");
      const start = lines.indexOf(`  ${title}`);
      expect(start, text).toBeGreaterThan(-1);
      return lines.slice(start + 1, start + 3).map((line) => line.replace(/\s+/g, " ").trim());
    };
    expect(section("if a gate fails")).toEqual([
      "at steps 1–3 leave traffic as it was, remove tag candidate → refused",
      `at steps 4–9 roll traffic back: ${OLD} 100% → rolled-back`,
    ]);
    expect(section("if interrupted")).toEqual([
      `at steps 1–3 leave traffic as it was (${OLD} 100%), remove tag candidate`,
      "at steps 4–9 keep traffic where it is (the candidate passed on its tag URL), record that, release the lock",
    ]);
    // The numbers match the plan's own step list.
    expect(text).toMatch(/\n {4}3\. shift traffic → /);
    expect(text).toMatch(/\n {4}9\. record the verified result/);
  });
});

describe("rollback --dry-run prints its plan like a promotion's", () => {
  it("steps, then what a failed check and an interruption leave at each step", () => {
    const rollback = planRollback({
      environment: "staging",
      promotionCommand: "echogate deploy staging",
      service: serviceWith([at(OLD, 100)], [gate(OLDER, "passed"), gate(OLD, "passed")]),
      revisions: [revision(OLDER), revision(OLD)],
    });
    const text = renderRollbackPlan(rollback, plain);
    expect(text).toContain(`Plan: rollback staging`);
    expect(text).toContain(
      `1. shift traffic → ${OLDER} 100% + mark ${OLD} as rolled back from in the same update`,
    );
    expect(text).toContain(`2. smoke on the service URL: /health (version`);
    expect(text).toContain("3. release the lock");
    expect(text).toMatch(
      /if a gate fails\n {4}at step 1 +leave traffic as it was, release the lock → refused/,
    );
    expect(text).toContain(
      `keep traffic on ${OLDER} 100% (its gate passed before), release the lock → rolled-back`,
    );
    expect(text).toContain("if interrupted");
  });
});
