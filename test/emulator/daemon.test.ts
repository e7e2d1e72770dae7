import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { emulatorStatus, ensureEmulator, stopEmulator } from "@echogate/emulator";
import { afterAll, expect, it } from "vitest";
import { createCloudRunClients } from "../../deploy/platform/cloudrun/clients.js";
import { promotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";
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
  expect(started.started).toBe(true);
  expect(await ensureEmulator(projectDir)).toEqual({ ...started, started: false });
  expect(await emulatorStatus(projectDir)).toMatchObject({ running: true, apiEndpoint: started.apiEndpoint });

  const clients = createCloudRunClients({ kind: "emulator", apiEndpoint: started.apiEndpoint });
  const [services] = await clients.services.listServices({ parent: PARENT });
  expect(services).toEqual([]);
  await clients.close();

  expect(await stopEmulator(projectDir)).toEqual({ stopped: true, orphansEnded: 0 });
  expect(isAlive(started.pid)).toBe(false);
  expect(await emulatorStatus(projectDir)).toEqual({ running: false });
});

it("says so when a command starts the daemon for `endpoint: local`, and only then", {
  timeout: 40_000,
}, async () => {
  const dir = await promotionProject();
  const env = { ECHOGATE_EMULATOR_ENDPOINT: "" };
  try {
    const first = await runEchogate(["status"], { cwd: dir, env });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Started the local emulators \(Cloud Run http:\/\/127\.0\.0\.1:\d+/);
    expect(first.stderr).toMatch(/echogate emulator stop/);
    const second = await runEchogate(["status", "--json"], { cwd: dir, env });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).not.toMatch(/Started the local emulators/);
  } finally {
    await stopEmulator(dir);
  }
});
