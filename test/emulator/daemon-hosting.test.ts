import { emulatorStatus, stopEmulator } from "@echogate/emulator";
import { afterAll, expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";
import { getText, realtimeServer } from "../hosting/fixtures.js";
import { hostingProject } from "../hosting/project.js";
import { isAlive } from "./helpers.js";

// No ECHOGATE_* overrides: the CLI finds (or starts) the project's own daemon, as a user's would.
const env = { ECHOGATE_EMULATOR_ENDPOINT: "", ECHOGATE_HOSTING_URL: "" };
let projectDir: string | undefined;
afterAll(async () => {
  if (projectDir) await stopEmulator(projectDir);
});

it("runs the Hosting emulator in the daemon: web URLs keep serving after web deploy exits, stop ends both", {
  timeout: 60_000,
}, async () => {
  projectDir = await hostingProject();
  const cwd = projectDir;
  const start = await runEchogate(["emulator", "start", "--json"], { cwd, env });
  expect(start.exitCode, start.stderr).toBe(0);
  const status = await runEchogate(["emulator", "status", "--json"], { cwd, env });
  const state = status.json<{
    running: boolean;
    apiEndpoint: string;
    hostingEndpoint: string;
    pid: number;
  }>();
  expect(state).toMatchObject({
    running: true,
    apiEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    hostingEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
  });

  const server = await realtimeServer();
  const deploy = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
    cwd,
    env,
  });
  expect(deploy.exitCode, deploy.stderr).toBe(0);
  const { url } = deploy.json<{ url: string }>();
  // The command has returned (and closed everything it opened); the daemon still serves the page.
  expect((await getText(`${url}/index.html`)).text).toContain("app.js");
  expect(JSON.parse((await getText(`${url}/echogate.json`)).text)).toMatchObject({ environment: "staging" });
  expect((await emulatorStatus(cwd)).hostingEndpoint).toBe(state.hostingEndpoint);
  // Finding the running daemon is a read: it leaves no site behind (it used to create one named `-`).
  expect((await fetch(`${state.hostingEndpoint}/v1beta1/sites/-/channels`)).status).toBe(404);

  const stop = await runEchogate(["emulator", "stop", "--json"], { cwd, env });
  expect(stop.json()).toEqual({ ok: true, schemaVersion: 1, stopped: true, orphansEnded: 0 });
  expect(isAlive(state.pid)).toBe(false);
  await expect(fetch(`${url}/index.html`)).rejects.toThrow();
  await expect(fetch(`${state.hostingEndpoint}/v1beta1/sites/chat-staging/channels`)).rejects.toThrow();
  expect((await runEchogate(["emulator", "status", "--json"], { cwd, env })).json()).toMatchObject({
    running: false,
    hostingEndpoint: null,
  });
});
