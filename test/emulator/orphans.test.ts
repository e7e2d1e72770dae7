import { spawn } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PIDS_FILE, startEmulator } from "../../packages/emulator/src/emulator.js";
import { reapOrphans } from "../../packages/emulator/src/process-registry.js";
import { buildEnv } from "../../packages/emulator/src/revision-process.js";
import { testdir } from "../helpers/testdir.js";
import {
  isAlive,
  PARENT,
  startTestEmulator,
  type TestEmulator,
  template,
  writeTestImage,
} from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function waitUntilDead(pid: number, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return !isAlive(pid);
}

describe.runIf(process.platform === "linux")("revision processes a killed emulator leaves behind", () => {
  it("are recorded with their working directory and ended by the next emulator start", async () => {
    const first: TestEmulator = await startTestEmulator();
    cleanups.push(() => first.close());
    const image = (await writeTestImage(first.imageStoreDir)).ref;
    const [op] = await first.clients.services.createService({
      parent: PARENT,
      serviceId: "left",
      service: { template: template(image) },
    });
    await op.promise();
    const [pid] = first.emulator.revisionPids();
    const recorded = JSON.parse(await readFile(path.join(first.stateDir, PIDS_FILE), "utf8"));
    expect(recorded).toEqual([{ pid, cwd: expect.stringContaining(first.imageStoreDir) }]);

    // As if `first` died with kill -9: a new emulator on the same state finds the process and ends it.
    const dir = await testdir({});
    await copyFile(path.join(first.stateDir, PIDS_FILE), path.join(dir, PIDS_FILE));
    const second = await startEmulator({ stateDir: dir, imageStoreDir: first.imageStoreDir });
    cleanups.push(() => second.close());
    expect(await waitUntilDead(pid!)).toBe(true);
    expect(await readFile(path.join(dir, PIDS_FILE), "utf8")).toBe("[]");
  });

  it("leaves alone a pid that now belongs to another program (its working directory differs)", async () => {
    const stranger = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { cwd: tmpdir() });
    cleanups.push(() => stranger.kill("SIGKILL"));
    const dir = await testdir({});
    const file = path.join(dir, PIDS_FILE);
    await writeFile(file, JSON.stringify([{ pid: stranger.pid, cwd: "/nonexistent/rootfs" }]));
    expect(reapOrphans(file)).toEqual([]);
    expect(isAlive(stranger.pid!)).toBe(true);
  });
});

describe("the environment a revision process gets", () => {
  const spec = (env: { name: string; value: string }[] = []) =>
    ({
      service: "chat",
      revision: "chat-00001-abc",
      container: { image: "x", env },
      image: { manifest: { env: { APP_VERSION: "1.0.0+abc" } } },
      port: 4321,
    }) as unknown as Parameters<typeof buildEnv>[0];

  it("has Cloud Run's variables, the image's and the template's, and no HOST (Cloud Run sets none)", () => {
    const env = buildEnv(spec([{ name: "LOG_LEVEL", value: "debug" }]));
    expect(env).toMatchObject({
      PORT: "4321",
      K_SERVICE: "chat",
      K_REVISION: "chat-00001-abc",
      APP_VERSION: "1.0.0+abc",
      LOG_LEVEL: "debug",
    });
    expect(env).not.toHaveProperty("HOST");
    expect(buildEnv(spec([{ name: "HOST", value: "::1" }])).HOST).toBe("::1");
  });
});
