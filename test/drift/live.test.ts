import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../deploy/drift/report/drift-report.js";
import { startTestEmulator, type TestEmulator, writeTestImage } from "../emulator/helpers.js";
import { runEchogate } from "../helpers/run-cli.js";
import { createLiveService, type LiveServiceSpec, REGION } from "./live-services.js";
import { driftProject, type EnvSpec } from "./project.js";

// Live drift against the in-process Cloud Run emulator through the real @google-cloud/run clients.
// A clean staging is shared; each case pairs it with a production service drifted one way.

let t: TestEmulator;
let image: { ref: string; digest: string };
let other: { ref: string; digest: string };

beforeAll(async () => {
  t = await startTestEmulator({ idleStopMs: 60_000 });
  image = await writeTestImage(t.imageStoreDir);
  other = await writeTestImage(t.imageStoreDir, { version: "0.2.0+test" });
  const base = { image: image.ref, digest: image.digest };
  const cases: Array<[string, Partial<LiveServiceSpec>]> = [
    ["c-local", {}],
    ["c-staging", {}],
    ["c-production", {}],
    ["d-digest", { image: other.ref, digest: other.digest }],
    ["d-entry", { args: ["server.cjs", "--legacy-server"] }],
    ["d-envkey", { env: { LOG_LEVEL: "info" } }],
    ["d-timeout", { timeoutS: 60 }],
    ["d-affinity", { sessionAffinity: false }],
    ["d-instances", { maxInstances: 3 }],
  ];
  await Promise.all(cases.map(([name, spec]) => createLiveService(t.clients, name, { ...base, ...spec })));
}, 30_000);

afterAll(async () => {
  await t?.close();
});

const service = (name: string, extra: EnvSpec = {}): EnvSpec => ({
  ...extra,
  service: { project: "demo-project", regions: [REGION], name, ...extra.service },
});

async function drift(
  production: EnvSpec,
  args: string[] = [],
): Promise<{ exitCode: number; report: DriftReport; stdout: string }> {
  const cwd = await driftProject({
    environments: { staging: service("c-staging"), production: { promotesFrom: "staging", ...production } },
  });
  const run = await runEchogate(["drift", "--json", ...args], {
    cwd,
    env: { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint },
  });
  const human = await runEchogate(["drift", ...args], {
    cwd,
    env: { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint },
  });
  expect(human.exitCode).toBe(run.exitCode);
  return { exitCode: run.exitCode, report: run.json<DriftReport>(), stdout: human.stdout };
}

const rules = (report: DriftReport) => report.findings.map((f) => `${f.severity}:${f.rule}`).sort();

describe("echogate drift on the emulator", () => {
  it("passes a clean set of three environments (exit 0) and never prints a secret", async () => {
    const cwd = await driftProject({
      environments: {
        local: service("c-local"),
        staging: service("c-staging"),
        production: service("c-production", { promotesFrom: "staging" }),
      },
    });
    const three = ["--env", "local", "--env", "staging", "--env", "production"];
    const run = await runEchogate(["drift", ...three], {
      cwd,
      env: { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint },
    });
    expect(run.stderr).not.toMatch(/error/);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /image digest\s+sha256:[0-9a-f]{12}\s+sha256:[0-9a-f]{12}\s+sha256:[0-9a-f]{12}/,
    );
    expect(run.stdout).toMatch(/\/health version\s+0\.1\.0\+test/);
    expect(run.stdout).toMatch(/env SESSION_SECRET\s+\*\*\*\s+\*\*\*\s+\*\*\*/);
    expect(run.stdout).toContain("Clean: 0 error(s), 0 warning(s).");
    const json = await runEchogate(["drift", "--json", ...three], {
      cwd,
      env: { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint },
    });
    expect(json.stdout).not.toContain("do-not-print-this-secret");
    const report = json.json<DriftReport>();
    expect(report.facts.targets.map((x) => [x.column, x.status, x.gate?.result, x.health?.status])).toEqual([
      ["local", "ok", "passed", "ok"],
      ["staging", "ok", "passed", "ok"],
      ["production", "ok", "passed", "ok"],
    ]);
    expect(report.facts.targets[0]!.env).toEqual([
      { key: "LOG_LEVEL", value: expect.stringMatching(/^sha256:[0-9a-f]{12}$/), secret: false },
      { key: "SESSION_SECRET", value: "***", secret: true },
    ]);
  });

  it("by default reads live only staging and production kinds: local and preview services are never deployed by CI", async () => {
    const cwd = await driftProject({
      environments: {
        local: service("never-deployed-local"),
        preview: service("never-deployed-preview", { kind: "preview" }),
        staging: service("c-staging"),
        production: service("c-production", { promotesFrom: "staging" }),
      },
    });
    const env = { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint };
    const run = await runEchogate(["drift", "--json"], { cwd, env });
    const report = run.json<DriftReport>();
    expect(report.findings).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(report.facts.targets.map((x) => x.column)).toEqual(["staging", "production"]);
    // Source facts still cover every environment.
    expect(report.facts.environments.map((e) => [e.name, e.live])).toEqual([
      ["local", false],
      ["preview", false],
      ["staging", true],
      ["production", true],
    ]);
    expect(report.envFiles.columns).toEqual(["local", "preview", "staging", "production"]);
    const human = await runEchogate(["drift"], { cwd, env });
    expect(human.stdout).toContain(
      "live, 2 environment(s) (staging, production; source facts only: local, preview;",
    );
    // Named, a local or preview environment is read live like any other.
    const named = await runEchogate(["drift", "--env", "local", "--env", "preview", "--json"], { cwd, env });
    expect(named.exitCode).toBe(1);
    expect(named.json<DriftReport>().findings.map((f) => f.message)).toEqual([
      "Service never-deployed-local does not exist in europe-west1 (local).",
      "Service never-deployed-preview does not exist in europe-west1 (preview).",
    ]);
  });

  it("catches a different digest in production (never passed staging)", async () => {
    const { exitCode, report, stdout } = await drift(service("d-digest"));
    expect(exitCode).toBe(1);
    expect(rules(report)).toContain("error:promoted-digest");
    expect(stdout).toMatch(/≠ image digest/);
    expect(stdout).toMatch(/production runs sha256:[0-9a-f]{12}, which never passed the gate in staging/);
  });

  it("catches a different entry (command/args)", async () => {
    const { exitCode, report } = await drift(service("d-entry"));
    expect(exitCode).toBe(1);
    expect(report.findings.find((f) => f.rule === "entry")?.message).toBe(
      "Container command/args differs: staging (image default); production server.cjs --legacy-server.",
    );
  });

  it("catches a missing env key", async () => {
    const { exitCode, report } = await drift(service("d-envkey"));
    expect(exitCode).toBe(1);
    expect(report.findings.find((f) => f.rule === "env-keys")).toMatchObject({
      message: "SESSION_SECRET is set in staging but missing in production.",
      location: { file: "environments/production.yaml", keyPath: "service.envFile" },
    });
  });

  it("warns about a 60 s request timeout (WebSockets cut every minute)", async () => {
    const { exitCode, report } = await drift(service("d-timeout"));
    expect(exitCode).toBe(0);
    expect(rules(report)).toEqual(["warning:request-timeout-equal", "warning:websocket-timeout"]);
  });

  it("catches session affinity off while Socket.IO polling is allowed", async () => {
    const smoke = [
      "smoke:",
      "  echo:",
      "    protocol: socket.io",
      "    transports: [polling, websocket]",
    ].join("\n");
    const { exitCode, report } = await drift(service("d-affinity", { smoke }));
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(["error:polling-affinity", "warning:session-affinity-equal"]);
  });

  it("catches max instances 3 without a broadcast adapter, and accepts a declared one", async () => {
    const { exitCode, report } = await drift(service("d-instances"));
    expect(exitCode).toBe(1);
    expect(report.findings.find((f) => f.rule === "broadcast-adapter")?.message).toMatch(
      /production may run 3 instances with no cross-instance broadcast: messages will not reach clients on other instances/,
    );
  });

  it("reports a service that doesn't exist, and exits 3 when Cloud Run can't be reached", async () => {
    const { exitCode, report } = await drift(service("no-such-service"));
    expect(exitCode).toBe(1);
    expect(rules(report)).toEqual(["error:service-deployed"]);
    const cwd = await driftProject({ environments: { staging: service("c-staging") } });
    const run = await runEchogate(["drift"], {
      cwd,
      env: { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9" },
    });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toMatch(/Failed to read 1 service\(s\)/);
  });
});
