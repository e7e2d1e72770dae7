import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { Output } from "../../deploy/core/output.js";
import { Redactor } from "../../deploy/core/redact.js";
import { readGateRecords } from "../../deploy/model/gate-records.js";
import { LOCK_ANNOTATION, readLock } from "../../deploy/model/lock.js";
import { Platform } from "../../deploy/platform/platform.js";
import { Project } from "../../deploy/project/project.js";
import { promoteEnvironment } from "../../deploy/promote/promote-environment.js";
import type { GateSmoke } from "../../deploy/promote/smoke-types.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";
import { smokeResult } from "../helpers/smoke-results.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const STAGING = "echogate-chat-staging";
let base: TestImage;

const service = async () => (await project.adapter.getService(STAGING))!.snapshot;
const serving = (traffic: { percent: number; revision?: string }[]) => traffic.filter((t) => t.percent > 0);

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  base = await makeImage(project.dir, { version: "0.1.0+base000" });
  const first = await project.echogate("deploy", "staging", "--image", base.digest);
  expect(first.exitCode, first.stderr).toBe(0);
}, 40_000);

function quietOutput(): Output {
  return new Output({ stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
}

async function promoteWith(image: TestImage, smoke: GateSmoke, controller = new AbortController()) {
  const platform = new Platform(project.dir, { ...process.env, ...project.env });
  try {
    return await promoteEnvironment({
      project: new Project(project.dir, new Redactor()),
      platform,
      environment: "staging",
      mode: "deploy",
      image: image.digest,
      output: quietOutput(),
      signal: controller.signal,
      smoke,
    });
  } finally {
    await platform.close();
  }
}

/** Runs `echogate deploy staging` as a real process and kill -9s it once a step has finished. */
async function deployKilledAfter(image: TestImage, stepPrefix: string): Promise<{ pid: number | undefined }> {
  const child = spawn(
    process.execPath,
    [
      `${repoRoot}bin/echogate.js`,
      "deploy",
      "staging",
      "--image",
      image.digest,
      "--json",
      "--cwd",
      project.dir,
    ],
    { env: { ...process.env, ...project.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const events: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    child.stderr.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.event === "step.done" && String(event.step).startsWith(stepPrefix)) child.kill("SIGKILL");
      }
    });
    child.once("exit", (_code, signal) =>
      signal === "SIGKILL"
        ? resolve()
        : reject(new Error(`exited without the kill: ${JSON.stringify(events.at(-1))}`)),
    );
  });
  return { pid: child.pid };
}

const pass: GateSmoke = async (url, check) => smokeResult(url, check.target, [{ name: "health", ok: true }]);

describe("interruptions and late failures", () => {
  it("kill -9 between 'revision created' and 'traffic shifted'; the re-run converges", async () => {
    const image = await makeImage(project.dir, { version: "0.1.0+kill000" });
    const before = serving((await service()).traffic);
    const child = await deployKilledAfter(image, "Create revision");

    const after = await service();
    const candidate = after.traffic.find((t) => t.tag === "candidate");
    expect(candidate?.percent).toBe(0);
    expect(serving(after.traffic)).toEqual(before);
    expect(readLock(after.annotations)?.pid).toBe(child.pid);
    expect(readGateRecords(after.annotations).some((r) => r.revision === candidate?.revision)).toBe(false);

    const rerun = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(rerun.stderr).toContain("stale lock");
    const plan = rerun.json<{ plan: { actions: { kind: string }[] } }>().plan;
    expect(plan.actions[0]!.kind).toBe("tag-candidate");
    const final = await service();
    expect(serving(final.traffic)).toEqual([
      { type: "REVISION", revision: candidate!.revision, percent: 100 },
    ]);
    expect(readGateRecords(final.annotations).at(-1)).toMatchObject({
      revision: candidate!.revision,
      result: "passed",
    });
    expect(final.annotations[LOCK_ANNOTATION]).toBeUndefined();
  }, 40_000);

  it("kill -9 right after the traffic shift; the re-run finishes it (stale lock cleared, service check recorded)", async () => {
    const image = await makeImage(project.dir, { version: "0.1.0+kill001" });
    const child = await deployKilledAfter(image, "Shift traffic");
    const after = await service();
    expect(readLock(after.annotations)?.pid).toBe(child.pid);
    const candidate = serving(after.traffic)[0]!.revision!;

    const rerun = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    const final = await service();
    expect(serving(final.traffic)).toEqual([{ type: "REVISION", revision: candidate, percent: 100 }]);
    expect(final.annotations[LOCK_ANNOTATION]).toBeUndefined();
    expect(readGateRecords(final.annotations).at(-1)).toMatchObject({
      revision: candidate,
      result: "passed",
      stage: "service",
    });
  }, 40_000);

  it("Ctrl-C during the candidate smoke: traffic untouched, tag removed, lock released", async () => {
    const image = await makeImage(project.dir, { version: "0.1.0+ctrlc00" });
    const before = serving((await service()).traffic);
    const controller = new AbortController();
    const { outcome } = await promoteWith(
      image,
      async (_url, _check, signal) => {
        controller.abort(new Error("Interrupted by SIGINT"));
        throw signal.reason;
      },
      controller,
    );
    expect(outcome?.result).toBe("interrupted");
    const after = await service();
    expect(serving(after.traffic)).toEqual(before);
    expect(after.traffic.some((t) => t.tag === "candidate")).toBe(false);
    expect(after.annotations[LOCK_ANNOTATION]).toBeUndefined();
  }, 20_000);

  it("a failure after the shift puts traffic back on the previous revision and records it", async () => {
    const image = await makeImage(project.dir, { version: "0.1.0+late000" });
    const before = serving((await service()).traffic);
    const { outcome, plan } = await promoteWith(image, async (url, check) =>
      check.target === "candidate"
        ? pass(url, check, new AbortController().signal)
        : smokeResult(url, check.target, [{ name: "echo", ok: false, detail: "no echo" }]),
    );
    expect(outcome?.result).toBe("rolled-back");
    const after = await service();
    expect(serving(after.traffic)).toEqual(before);
    expect(readGateRecords(after.annotations).at(-1)).toMatchObject({
      revision: plan.candidate.revision,
      result: "failed",
      stage: "service",
    });
    expect(after.annotations[LOCK_ANNOTATION]).toBeUndefined();
  }, 20_000);
});
