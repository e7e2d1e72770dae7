// Journey: kill -9 scenarios replayed as the kill loop found them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudRunAdapter } from "../../deploy/platform/cloudrun/adapter.js";
import { adapterFor, startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { canaryStaging, echogate, promotionProject } from "../helpers/project.js";
import { REDIS_URL, requireRedis } from "../helpers/redis.js";
import { gateViolations, readLive, runEchogateProcess, servingShare, switchableImage } from "./harness.js";

// Kill -9 scenarios found by the kill loop, reproduced as they were reported.

const STAGING = "echogate-chat-staging";
let project: string;
let emu: TestEmulator;
let adapter: CloudRunAdapter;

beforeAll(async () => {
  // Partial steps need a declared backplane; these tests never reach a smoke on a split URL.
  project = await promotionProject(canaryStaging);
  emu = await startTestEmulator(project);
  adapter = adapterFor(emu);
}, 30_000);
afterAll(async () => {
  await adapter?.close();
  await emu?.close();
});

const deploy = (digest: string, killWhen?: Parameters<typeof runEchogateProcess>[3]) =>
  runEchogateProcess(project, emu.env, ["deploy", "staging", "--image", digest], killWhen);
const afterStep = (prefix: string) => (e: { event: string; step?: string }) =>
  e.event === "step.done" && String(e.step).startsWith(prefix);

describe("kill -9 during promotion", () => {
  it("a first deploy of a faulty build killed right after 'Create service' never becomes public; the re-run converges to private", async () => {
    await adapter.deleteService(STAGING);
    const faulty = await makeImage(project, {
      version: "0.1.0+fault01",
      env: { ECHOGATE_FAULT: "exclude-sender" },
    });
    const killed = await deploy(faulty.digest, afterStep("Create service"));
    expect(killed.killed).toBe(true);

    const after = await readLive(adapter, STAGING);
    // The new service's only revision has 100%, but nobody outside can reach it.
    expect(after.access).toBe("private");
    expect(servingShare(after)).toHaveLength(1);
    const uri = (await adapter.getService(STAGING))!.snapshot.uri!;
    expect((await fetch(`${uri}/health`)).status).toBe(403);

    const rerun = await deploy(faulty.digest);
    expect(rerun.exitCode).toBe(1);
    const error = JSON.parse(rerun.stdout) as { error: { message: string; details: { result: string } } };
    expect(error.error.details.result).toBe("private");
    expect(error.error.message).toContain("private");
    const final = await readLive(adapter, STAGING);
    expect(final.access).toBe("private");
    expect(final.lock).toBeUndefined();
    expect(final.records.at(-1)).toMatchObject({ result: "failed" });
    expect(gateViolations(final)).toEqual([]);
    expect((await fetch(`${uri}/health`)).status).toBe(403);
    const status = await echogate(project, emu.env, "status", "staging", "--json");
    expect(
      status.json<{ environments: { access: string; gate: { result: string } }[] }>().environments[0],
    ).toMatchObject({
      access: "private",
      gate: { result: "failed" },
    });

    // A good build afterwards is gated with a token and only then made public.
    const good = await makeImage(project, { version: "0.1.0+good001" });
    const fixed = await deploy(good.digest);
    expect(fixed.exitCode, fixed.stdout).toBe(0);
    const live = await readLive(adapter, STAGING);
    expect(live.access).toBe("public");
    expect(gateViolations(live)).toEqual([]);
    expect((await fetch(`${uri}/health`)).status).toBe(200);
  }, 60_000);

  it("a re-run after a kill at a canary step whose gate now fails goes to the last passed revision at 100%, not the split", async () => {
    // A first deploy (no canary), so the only split is the one the kill leaves. The kill comes
    // right after the first shift (10%), before any smoke on the split service URL, whose two
    // clients may land on different revisions (cross-revision fan-out is another gate's job).
    await adapter.deleteService(STAGING);
    const base = await makeImage(project, { version: "0.1.0+base002" });
    expect((await deploy(base.digest)).exitCode).toBe(0);
    const baseRevision = servingShare(await readLive(adapter, STAGING))[0]!.revision!;

    const flaky = await switchableImage(project, "0.1.0+flaky02");
    const killed = await deploy(flaky.digest, afterStep("Shift traffic"));
    expect(killed.killed).toBe(true);
    const mid = await readLive(adapter, STAGING);
    expect(
      servingShare(mid)
        .map((t) => t.percent)
        .sort((a, b) => a - b),
    ).toEqual([10, 90]);
    expect(gateViolations(mid)).toEqual([]);

    await flaky.fail();
    try {
      const rerun = await deploy(flaky.digest);
      expect(rerun.exitCode).toBe(1);
      const final = await readLive(adapter, STAGING);
      expect(servingShare(final)).toEqual([{ type: "REVISION", revision: baseRevision, percent: 100 }]);
      expect(final.access).toBe("public");
      expect(final.lock).toBeUndefined();
      expect(gateViolations(final)).toEqual([]);
      const message = (JSON.parse(rerun.stdout) as { error: { message: string } }).error.message;
      expect(message).toContain(`traffic went back to ${baseRevision} 100%`);
    } finally {
      await flaky.heal();
    }
  }, 60_000);

  it("a serving revision whose re-check now fails does not keep public traffic (nothing passed to go back to: private)", async () => {
    await adapter.deleteService(STAGING);
    const flaky = await switchableImage(project, "0.1.0+flaky03");
    expect((await deploy(flaky.digest)).exitCode).toBe(0);
    expect((await readLive(adapter, STAGING)).access).toBe("public");
    await flaky.fail();
    try {
      const recheck = await deploy(flaky.digest);
      expect(recheck.exitCode).toBe(1);
      expect(
        (JSON.parse(recheck.stdout) as { error: { details: { result: string } } }).error.details.result,
      ).toBe("private");
      const final = await readLive(adapter, STAGING);
      expect(final.access).toBe("private");
      expect(final.records.at(-1)).toMatchObject({ result: "failed", stage: "service" });
      expect(final.lock).toBeUndefined();
      expect(gateViolations(final)).toEqual([]);
    } finally {
      await flaky.heal();
    }
  }, 60_000);

  it("a canary killed after a partial step converges with no 'previous' tag left, and the next canary deploy passes", async () => {
    await requireRedis();
    const backplane = { REDIS_URL, REDIS_KEY_PREFIX: `echogate-kill-rerun:${process.pid}:` };
    await adapter.deleteService(STAGING);
    const [a, b, c] = await Promise.all(
      ["0.2.0+canary1", "0.2.0+canary2", "0.2.0+canary3"].map((version) =>
        makeImage(project, { version, env: backplane }),
      ),
    );
    expect((await deploy(a!.digest)).exitCode).toBe(0);
    const killed = await deploy(b!.digest, afterStep("Shift traffic"));
    expect(killed.killed).toBe(true);
    expect((await readLive(adapter, STAGING)).traffic.some((t) => t.tag === "previous")).toBe(true);

    const rerun = await deploy(b!.digest);
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    const converged = await readLive(adapter, STAGING);
    expect(converged.traffic.filter((t) => t.tag === "previous")).toEqual([]);
    expect(servingShare(converged)).toHaveLength(1);

    const next = await deploy(c!.digest);
    expect(next.exitCode, next.stdout).toBe(0);
    const final = await readLive(adapter, STAGING);
    expect(servingShare(final)).toEqual([expect.objectContaining({ percent: 100 })]);
    expect(final.traffic.filter((t) => t.tag === "previous")).toEqual([]);
    expect(gateViolations(final)).toEqual([]);
  }, 90_000);

  it("promote refuses a source whose deploy was killed before its service-URL check, and ships it once the re-run finishes", async () => {
    await adapter.deleteService(STAGING);
    const good = await makeImage(project, { version: "0.3.0+inflight" });
    const killed = await deploy(
      good.digest,
      (e) => e.event === "step.start" && String(e.step).startsWith("Smoke service"),
    );
    expect(killed.killed).toBe(true);
    const mid = await readLive(adapter, STAGING);
    expect(mid.lock).toBeDefined();
    expect(mid.records.at(-1)).toMatchObject({ result: "passed", stage: "candidate" });

    const refused = await runEchogateProcess(project, emu.env, ["promote", "production", "--server-only"]);
    expect(refused.exitCode, refused.stdout).toBe(1);
    const error = (JSON.parse(refused.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("promote.not-gated");
    expect(error.message).toContain("has not finished");

    expect((await deploy(good.digest)).exitCode).toBe(0);
    const promoted = await runEchogateProcess(project, emu.env, ["promote", "production", "--server-only"]);
    expect(promoted.exitCode, promoted.stdout).toBe(0);
  }, 90_000);
});
