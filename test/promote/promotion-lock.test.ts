import { hostname } from "node:os";
import { PassThrough } from "node:stream";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isEchogateError } from "../../deploy/core/errors.js";
import { Output } from "../../deploy/core/output.js";
import { LOCK_ANNOTATION, type PromotionLock, readLock } from "../../deploy/model/lock.js";
import { applyLock, withPromotionLock } from "../../deploy/platform/cloudrun/lock-io.js";
import { lockOwner } from "../../deploy/promote/promote-environment.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

// withPromotionLock is the one place a promotion or rollback takes an environment's lock: against
// the emulator through the real adapter, with a foreign lock written onto the service first.

const STAGING = "echogate-chat-staging";

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  const image = await makeImage(project.dir, { version: "0.1.0+lock000" });
  const first = await project.echogate("deploy", "staging", "--image", image.digest);
  expect(first.exitCode, first.stderr).toBe(0);
}, 40_000);

const lockOn = async () => readLock((await project.adapter.getService(STAGING))!.snapshot.annotations);
const setLock = (lock: PromotionLock | undefined) =>
  project.adapter.mutateService(STAGING, (raw) => {
    const annotations = { ...(raw.annotations ?? {}) };
    if (lock) annotations[LOCK_ANNOTATION] = JSON.stringify(lock);
    else delete annotations[LOCK_ANNOTATION];
    raw.annotations = annotations;
    return raw;
  });
const foreign = (pid: number): PromotionLock => ({
  id: "someone-else",
  holder: "ci@builder",
  host: hostname(),
  pid,
  command: "echogate deploy staging",
  acquiredAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
});

function capture() {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (chunk) => {
    text += String(chunk);
  });
  return { output: new Output({ stdout: new PassThrough().resume(), stderr }), text: () => text };
}

beforeEach(() => setLock(undefined));

describe("withPromotionLock", () => {
  it("refuses a live holder, naming it, and never runs the work or touches that lock", async () => {
    const theirs = foreign(4242);
    await setLock(theirs);
    const { output, text } = capture();
    let ran = false;
    const refused = await withPromotionLock(
      project.adapter,
      STAGING,
      lockOwner("test"),
      { label: "staging", output, isAlive: () => true },
      async () => {
        ran = true;
      },
    ).catch((error: unknown) => error);
    expect(isEchogateError(refused) && refused.code).toBe("promote.locked");
    expect((refused as Error).message).toContain("ci@builder (pid 4242 on");
    expect(ran).toBe(false);
    expect(await lockOn()).toEqual(theirs);
    expect(text()).toMatch(/✖ Lock staging .*held by another promotion/);
  }, 20_000);

  it("takes over a lock whose process died, saying so, and releases it after the work", async () => {
    await setLock(foreign(4242));
    const { output, text } = capture();
    const owner = lockOwner("test");
    const during = await withPromotionLock(
      project.adapter,
      STAGING,
      owner,
      { label: "staging", output, isAlive: (pid) => pid !== 4242 },
      () => lockOn(),
    );
    expect(during).toMatchObject({ id: owner.id, holder: owner.holder });
    expect(text()).toContain("Taking over a stale lock of ci@builder (pid 4242");
    expect(text()).toContain(`✔ Lock staging`);
    expect(await lockOn()).toBeUndefined();
  }, 20_000);

  it("releases the lock when the work throws, and passes the error on", async () => {
    const { output } = capture();
    const boom = new Error("work failed");
    const thrown = await withPromotionLock(
      project.adapter,
      STAGING,
      lockOwner("test"),
      { label: "staging", output },
      () => Promise.reject(boom),
    ).catch((error: unknown) => error);
    expect(thrown).toBe(boom);
    expect(await lockOn()).toBeUndefined();
  }, 20_000);

  it("makes no extra call when the work's own last write dropped the lock", async () => {
    const { output } = capture();
    const owner = lockOwner("test");
    const calls: string[] = [];
    const mutateService = project.adapter.mutateService.bind(project.adapter);
    project.adapter.mutateService = (name, mutate) => {
      calls.push(name);
      return mutateService(name, mutate);
    };
    try {
      await withPromotionLock(project.adapter, STAGING, owner, { label: "staging", output }, async (lock) => {
        await project.adapter.mutateService(STAGING, (raw, snapshot) => {
          applyLock(raw, snapshot, owner, new Date(), () => true, "release");
          return raw;
        });
        lock.wrote("release");
      });
    } finally {
      project.adapter.mutateService = mutateService;
    }
    // Taking the lock, and the work's write: no read-back to release what is already gone.
    expect(calls).toEqual([STAGING, STAGING]);
    expect(await lockOn()).toBeUndefined();
  }, 20_000);

  it("a rollback re-run after one killed past its shift clears the dead holder's lock, and only that", async () => {
    // Killed after the shift: traffic is on the only revision that passed, so nothing earlier exists.
    const killed = {
      ...foreign(4242),
      command: "echogate rollback staging",
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    };
    await setLock(killed);
    const rerun = await project.echogate("rollback", "staging");
    expect(rerun.exitCode, rerun.stderr).toBe(1);
    expect(rerun.stderr).toContain("Taking over a stale lock of ci@builder (pid 4242");
    expect(rerun.stderr).toContain("no earlier revision passed its gate");
    expect(await lockOn()).toBeUndefined();

    const live = foreign(process.pid);
    await setLock(live);
    const refused = await project.echogate("rollback", "staging");
    expect(refused.exitCode).toBe(1);
    expect(await lockOn()).toEqual(live);
  }, 40_000);
});
