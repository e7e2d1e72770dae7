import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../deploy/config/load-environments.js";
import { Output } from "../../deploy/core/output.js";
import { readGateRecords } from "../../deploy/model/gate-records.js";
import { readLock } from "../../deploy/model/lock.js";
import type { ServiceMutation } from "../../deploy/platform/cloudrun/adapter.js";
import {
  type TrafficTarget,
  toServiceSnapshot,
  toWireTraffic,
} from "../../deploy/platform/cloudrun/service-model.js";
import { executePlan } from "../../deploy/promote/execute.js";
import { planPromotion } from "../../deploy/promote/plan.js";
import type { PlannedSmoke } from "../../deploy/promote/plan-types.js";
import { lockOwner } from "../../deploy/promote/promote-environment.js";
import type { GateSmoke } from "../../deploy/promote/smoke-types.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { canaryStaging } from "../helpers/project.js";
import { smokeResult } from "../helpers/smoke-results.js";

// The executor on its own: a plan applied through the real adapter against the
// emulator, with a gate that fails on the candidate. The adapter is a concrete class, so writes
// are observed by wrapping the instance's mutateService, not by faking the adapter.

const STAGING = "echogate-chat-staging";

// Partial steps need a declared backplane; these tests never reach a smoke on a split URL.
const project = useEmulatedProject(canaryStaging);
beforeAll(async () => {
  const base = await makeImage(project.dir, { version: "0.1.0+base000" });
  const first = await project.echogate("deploy", "staging", "--image", base.digest);
  expect(first.exitCode, first.stderr).toBe(0);
}, 40_000);

const quiet = () => new Output({ stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
const serving = (traffic: readonly TrafficTarget[]) => traffic.filter((t) => t.percent > 0);

/** The plan of deploying a new image of `version` to `name`, given its service as read. */
async function planImage(
  name: "staging" | "production",
  version: string,
  live: Pick<Parameters<typeof planPromotion>[0], "service" | "revisions" | "access">,
) {
  const environment = await loadEnvironment(project.dir, name);
  const image = await makeImage(project.dir, { version });
  return planPromotion({
    environment: name,
    config: environment.config,
    mode: "deploy",
    artifact: {
      digest: image.digest,
      imageRef: image.imageRef,
      version: image.version,
      gitSha: "0".repeat(40),
      source: "image",
    },
    env: [],
    ...live,
  });
}

/** A new image's plan against staging as it is now (the service read with it). */
async function planCandidate(version: string) {
  const [loaded, revisions, access] = await Promise.all([
    project.adapter.getService(STAGING),
    project.adapter.listRevisions(STAGING),
    project.adapter.invokerAccess(STAGING),
  ]);
  const plan = await planImage("staging", version, { service: loaded?.snapshot, revisions, access });
  return { plan, loaded: loaded! };
}

describe("executePlan with a failing candidate smoke", () => {
  it("runs no shift step, never writes traffic onto the candidate, and refuses", async () => {
    const { plan, loaded } = await planCandidate("0.1.0+cand001");
    expect(plan.actions.filter((a) => a.kind === "shift")).toHaveLength(3);
    const before = serving(loaded.snapshot.traffic);

    const writes: TrafficTarget[][] = [];
    const mutateService = project.adapter.mutateService.bind(project.adapter);
    project.adapter.mutateService = (name: string, mutate: ServiceMutation) =>
      mutateService(name, (raw, snapshot) => {
        const next = mutate(raw, snapshot);
        if (next) writes.push(toServiceSnapshot({ ...next, name: snapshot.resourceName }).traffic);
        return next;
      });
    const checks: PlannedSmoke[] = [];
    const smoke: GateSmoke = async (url, check) => {
      checks.push(check);
      return smokeResult(url, check.target, [{ name: "echo", ok: false, detail: "no echo" }]);
    };
    let outcome: Awaited<ReturnType<typeof executePlan>>;
    try {
      outcome = await executePlan(plan, {
        adapter: project.adapter,
        smoke,
        output: quiet(),
        signal: new AbortController().signal,
        owner: lockOwner("test"),
      });
    } finally {
      project.adapter.mutateService = mutateService;
    }

    expect(outcome.ok).toBe(false);
    expect(outcome.result).toBe("refused");
    expect(outcome.failure).toMatchObject({ stage: "candidate" });
    expect(checks.map((c) => c.target)).toEqual(["candidate"]);
    expect(outcome.steps.map((s) => s.name).filter((name) => name.startsWith("Shift traffic"))).toEqual([]);
    // Every write (lock, candidate tag, the failure record) kept the candidate at 0%.
    expect(writes.length).toBeGreaterThan(0);
    for (const traffic of writes)
      expect(traffic.filter((t) => t.revision === plan.candidate.revision && t.percent > 0)).toEqual([]);
    const after = (await project.adapter.getService(STAGING))!.snapshot;
    expect(serving(after.traffic)).toEqual(before);
    expect(readGateRecords(after.annotations).at(-1)).toMatchObject({
      revision: plan.candidate.revision,
      result: "failed",
      stage: "candidate",
    });
  }, 30_000);
});

describe("executePlan with a failing scenario", () => {
  it("refuses the candidate and records which scenario failed in the gate record", async () => {
    const { plan, loaded } = await planCandidate("0.1.0+cand003");
    const before = serving(loaded.snapshot.traffic);
    const diagnosis =
      'step 6 (http GET /api/messages/bob-x): … messages has no element matching {"id":"dm-1"} (it has 0)';
    const smoke: GateSmoke = async (url, check) => ({
      ...smokeResult(url, check.target, [
        { name: "echo", ok: true },
        { name: "scenario offline-dm", ok: false, detail: diagnosis },
        { name: "scenario group-history", ok: true },
      ]),
      scenarios: [
        {
          name: "offline-dm",
          description: null,
          ok: false,
          ms: 5,
          nonce: "n-s1",
          room: "r-offline-dm",
          diagnosis,
          steps: [],
        },
        {
          name: "group-history",
          description: null,
          ok: true,
          ms: 5,
          nonce: "n-s2",
          room: "r-group-history",
          diagnosis: null,
          steps: [],
        },
      ],
    });
    const outcome = await executePlan(plan, {
      adapter: project.adapter,
      smoke,
      output: quiet(),
      signal: new AbortController().signal,
      owner: lockOwner("test"),
    });

    expect(outcome.ok).toBe(false);
    expect(outcome.result).toBe("refused");
    expect(outcome.failure?.message).toContain(`scenario offline-dm: ${diagnosis}`);
    const after = (await project.adapter.getService(STAGING))!.snapshot;
    expect(serving(after.traffic)).toEqual(before);
    expect(readGateRecords(after.annotations).at(-1)).toMatchObject({
      revision: plan.candidate.revision,
      result: "failed",
      scenarios: [
        { name: "offline-dm", ok: false },
        { name: "group-history", ok: true },
      ],
    });
  }, 30_000);
});

describe("executePlan applies the plan's recovery, never its own", () => {
  it("a failed gate does what plan.recovery says for that step, and the outcome says what the plan says", async () => {
    const { plan, loaded } = await planCandidate("0.1.0+cand002");
    const base = serving(loaded.snapshot.traffic)[0]!.revision!;
    // A recovery no executor would choose by itself: the serving revision gets a tag of its own.
    const planned: TrafficTarget[] = [{ type: "REVISION", revision: base, percent: 100, tag: "planned" }];
    plan.recovery[0]!.gateFails = [{ kind: "set-traffic", title: "Planned recovery", traffic: planned }];
    plan.recovery[0]!.result = "rolled-back";
    const smoke: GateSmoke = async (url, check) =>
      smokeResult(url, check.target, [{ name: "echo", ok: false, detail: "no echo" }]);
    const outcome = await executePlan(plan, {
      adapter: project.adapter,
      smoke,
      output: quiet(),
      signal: new AbortController().signal,
      owner: lockOwner("test"),
    });

    expect(outcome.result).toBe("rolled-back");
    expect(outcome.steps.at(-1)).toMatchObject({ name: "Planned recovery", ok: true });
    const after = (await project.adapter.getService(STAGING))!.snapshot;
    expect(after.traffic).toEqual(planned);
    expect(readLock(after.annotations)).toBeUndefined();
    expect(readGateRecords(after.annotations).at(-1)).toMatchObject({
      revision: plan.candidate.revision,
      result: "failed",
      stage: "candidate",
    });
    // Leave staging as the other tests found it.
    await project.adapter.mutateService(STAGING, (raw) => {
      raw.traffic = toWireTraffic([{ type: "REVISION", revision: base, percent: 100 }]);
      return raw;
    });
  }, 30_000);
});

describe("a platform error deletes a service this run created only while traffic has not moved", () => {
  const PRODUCTION = "echogate-chat-production";

  /** A first deploy of production (no service yet) whose smoke throws a platform error at `failAt`. */
  async function firstDeployFailing(version: string, failAt: PlannedSmoke["target"]) {
    const plan = await planImage("production", version, { service: undefined, revisions: [] });
    expect(plan.actions.map((a) => a.kind)).toEqual([
      "create-service",
      "smoke",
      "shift",
      "smoke",
      "make-public",
      "finish",
    ]);
    const targets: PlannedSmoke["target"][] = [];
    const smoke: GateSmoke = async (url, check) => {
      targets.push(check.target);
      if (check.target === failAt) throw new Error("socket hang up");
      return smokeResult(url, check.target, [{ name: "echo", ok: true }]);
    };
    const run = executePlan(plan, {
      adapter: project.adapter,
      smoke,
      output: quiet(),
      signal: new AbortController().signal,
      owner: lockOwner("test"),
    });
    await expect(run).rejects.toThrow("socket hang up");
    return { plan, targets };
  }

  it("before the shift: the new service, with only its ungated revision, is deleted", async () => {
    const { targets } = await firstDeployFailing("0.1.0+new0001", "candidate");
    expect(targets).toEqual(["candidate"]);
    expect(await project.adapter.getService(PRODUCTION)).toBeUndefined();
  }, 30_000);

  it("after the shift: the service stays, serving the candidate that passed on its tag URL, unlocked", async () => {
    const { plan, targets } = await firstDeployFailing("0.1.0+new0002", "service");
    expect(targets).toEqual(["candidate", "service"]);
    const after = (await project.adapter.getService(PRODUCTION))?.snapshot;
    expect(after, "the service a shifted run created was deleted").toBeDefined();
    expect(serving(after!.traffic)).toEqual([
      { type: "REVISION", revision: plan.candidate.revision, percent: 100 },
    ]);
    expect(readLock(after!.annotations)).toBeUndefined();
    expect(readGateRecords(after!.annotations).at(-1)).toMatchObject({
      revision: plan.candidate.revision,
      result: "passed",
      stage: "candidate",
    });
    expect(await project.adapter.invokerAccess(PRODUCTION)).toBe("private");
  }, 30_000);
});
