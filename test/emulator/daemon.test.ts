import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { emulatorStatus, ensureEmulator, stopEmulator } from "../../deploy/emulator/daemon.js";
import { createCloudRunClients } from "../../deploy/platform/cloudrun/clients.js";
import { isAlive, PARENT } from "./helpers.js";

let projectDir: string | undefined;
afterAll(async () => {
  if (projectDir) {
    await stopEmulator(projectDir);
    await rm(projectDir, { recursive: true, force: true });
  }
});

it("starts a detached emulator, reports it, reuses it and stops it", { timeout: 40_000 }, async () => {
  projectDir = await mkdtemp(path.join(tmpdir(), "echogate-daemon-"));
  expect(await emulatorStatus(projectDir)).toEqual({ running: false });
  const started = await ensureEmulator(projectDir);
  expect(started.apiEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(await ensureEmulator(projectDir)).toEqual(started);
  expect(await emulatorStatus(projectDir)).toMatchObject({ running: true, apiEndpoint: started.apiEndpoint });

  const clients = createCloudRunClients({ kind: "emulator", apiEndpoint: started.apiEndpoint });
  const [services] = await clients.services.listServices({ parent: PARENT });
  expect(services).toEqual([]);
  await clients.close();

  expect(await stopEmulator(projectDir)).toEqual({ stopped: true });
  expect(isAlive(started.pid)).toBe(false);
  expect(await emulatorStatus(projectDir)).toEqual({ running: false });
});
