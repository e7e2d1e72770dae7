import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { SmokeResult } from "../../../deploy/smoke/result.js";
import { socketIoScenarios } from "../../fixtures/scenario-servers/scenarios.js";
import { type FixtureServer, startSocketIoChat } from "../../fixtures/scenario-servers/socket-io-chat.js";
import { runEchogate } from "../../helpers/run-cli.js";
import { testdir } from "../../helpers/testdir.js";

let correct: FixtureServer;
let stale: FixtureServer;
let cwd: string;

beforeAll(async () => {
  [correct, stale] = await Promise.all([startSocketIoChat("correct"), startSocketIoChat("stale-socket")]);
  cwd = await testdir({});
  const spec = {
    echo: { protocol: "socket.io", clients: 2, timeoutMs: 2000 },
    scenarios: socketIoScenarios
      .filter((s) => s.name === "reconnect-live")
      .map((s) => ({ ...s, stepTimeoutMs: 400 })),
  };
  await writeFile(join(cwd, "spec.yaml"), stringify(spec));
});
afterAll(() => Promise.all([correct.close(), stale.close()]));

describe("echogate smoke with scenarios", () => {
  it("passes a correct server and warns that two clients don't prove fan-out", async () => {
    const run = await runEchogate(["smoke", correct.url, "--spec", "spec.yaml"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✔ scenario reconnect-live/);
    expect(run.stderr).toContain("fan-out is proven with 2 clients only");
  });

  it("refuses a server that emits to the stale socket: exit 1, the diagnosis, JSON and JUnit per step", async () => {
    const run = await runEchogate(
      ["smoke", stale.url, "--spec", "spec.yaml", "--json", "--junit", "out.xml"],
      {
        cwd,
      },
    );
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout) as SmokeResult;
    const scenario = result.scenarios[0]!;
    expect(scenario).toMatchObject({ name: "reconnect-live", ok: false });
    expect(scenario.diagnosis).toMatch(/never arrived live on bob's new socket/);
    expect(scenario.steps.map((s) => [s.name, s.status])).toEqual([
      ["reconnect-live/1 connect alice", "passed"],
      ["reconnect-live/2 reconnect bob", "passed"],
      ["reconnect-live/3 emit alice", "passed"],
      ["reconnect-live/4 expect bob", "failed"],
      ["reconnect-live/5 expectNone bob", "skipped"],
    ]);
    const xml = await readFile(join(cwd, "out.xml"), "utf8");
    expect(xml).toContain(
      '<testcase classname="echogate.smoke.scenario.reconnect-live" name="reconnect-live/4 expect bob"',
    );
    expect(xml).toMatch(/<failure message="bob reconnected at step 2/);
  });
});
