import { join } from "node:path";
import type { HostingEmulator } from "@echogate/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../deploy/drift/report/drift-report.js";
import { LIVE_CHANNEL, release, uploadVersion } from "../../deploy/hosting/publish.js";
import { buildRuntimeConfig, runtimeConfigFile } from "../../deploy/hosting/runtime-config.js";
import { FirebaseHostingAdapter } from "../../deploy/platform/hosting/firebase-adapter.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { echogate, webPromotionProject } from "../helpers/project.js";
import { hostingEmulator } from "../hosting/fixtures.js";

// This repo's own environments/ (local, preview, staging, production, drift.yaml) after the release
// flow CI runs: `deploy staging`, `web deploy staging`, `promote production` (server and web).

let cwd: string;
let cloudRun: TestEmulator;
let hosting: HostingEmulator;
const env = () => ({ ...cloudRun.env, ECHOGATE_HOSTING_URL: hosting.url });
const run = (...argv: string[]) => echogate(cwd, env(), ...argv);

beforeAll(async () => {
  cwd = await webPromotionProject();
  cloudRun = await startTestEmulator(cwd);
  hosting = (await hostingEmulator({ dir: join(cwd, ".echogate", "hosting") })).emulator;
  const image = await makeImage(cwd, { version: "0.1.0+ddddddd" });
  for (const argv of [
    ["deploy", "staging", "--image", image.digest],
    ["web", "deploy", "staging"],
    ["promote", "production"],
  ]) {
    const step = await run(...argv);
    expect(step.exitCode, `${argv.join(" ")}: ${step.stderr}`).toBe(0);
  }
}, 90_000);

afterAll(async () => {
  await hosting?.close();
  await cloudRun?.close();
});

const findings = (report: DriftReport) => report.findings.map((f) => `${f.severity}:${f.rule}`).sort();

describe("drift after deploy staging + promote production (this repo's environments)", () => {
  it("is clean: local and preview are not read live by default, and each web front end names its own server", async () => {
    const drift = await run("drift", "--json");
    const report = drift.json<DriftReport>();
    expect(report.findings).toEqual([]);
    expect(drift.exitCode).toBe(0);
    expect(report.facts.targets.map((t) => t.column)).toEqual(["staging", "production"]);
    expect(report.facts.environments.map((e) => [e.name, e.live])).toEqual([
      ["local", false],
      ["preview", false],
      ["staging", true],
      ["production", true],
    ]);
    for (const target of report.facts.targets) {
      expect(target.web).toMatchObject({ status: "ok", serverUrl: target.uri!.replace(/^http/, "ws") });
    }
    const text = await run("drift");
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(
      /live, 2 environment\(s\) \(staging, production; source facts only: local, preview;/,
    );
    expect(text.stdout).toMatch(/web → server\s+ws:\/\/127\.0\.0\.1:\d+\s+ws:\/\/127\.0\.0\.1:\d+/);
  });

  it("checks production alone against drift.yaml rules that also name staging", async () => {
    const drift = await run("drift", "--env", "production");
    expect(drift.stderr).not.toMatch(/is not an environment/);
    expect(drift.exitCode).toBe(0);
  });

  it("still reads the local environment when named, and reports that it was never deployed", async () => {
    const drift = await run("drift", "--env", "local", "--json");
    expect(drift.exitCode).toBe(1);
    expect(findings(drift.json<DriftReport>())).toEqual(["error:service-deployed"]);
  });

  it("catches production's web front end connecting to staging's server", async () => {
    const before = (await run("drift", "--json")).json<DriftReport>();
    const stagingUrl = before.facts.targets.find((t) => t.environment === "staging")!.uri!;
    const adapter = new FirebaseHostingAdapter({ baseUrl: hosting.url, auth: "none" });
    const wrong = runtimeConfigFile(
      buildRuntimeConfig({
        environment: "production",
        serverUrl: stagingUrl,
        protocol: "ws-json",
        publicVars: {},
      }),
    );
    const { version } = await uploadVersion(adapter, "echogate-chat-production", [wrong], { labels: {} });
    await release(adapter, "echogate-chat-production", LIVE_CHANNEL, version, "points at staging");
    try {
      const drift = await run("drift", "--json");
      expect(drift.exitCode).toBe(1);
      const report = drift.json<DriftReport>();
      expect(findings(report)).toEqual(["error:web-server-url"]);
      expect(report.findings[0]!.message).toMatch(
        /^The web front end of production \(http:\/\/127\.0\.0\.1:\d+\/echogate\.json\) connects to staging's server ws:\/\/127\.0\.0\.1:\d+\.$/,
      );
      const markdown = await run("drift", "--markdown");
      // Both name staging's server: the row is equal, yet a rule fired on it, so it is marked.
      expect(markdown.stdout).toMatch(
        /^\| \*\*web → server\*\* ≠ \| \*\*`(ws:[^|`]+)`\*\* \| ❌ \*\*`\1`\*\* \|$/m,
      );
    } finally {
      // Put production's own config back for the other cases.
      const own = runtimeConfigFile(
        buildRuntimeConfig({
          environment: "production",
          serverUrl: before.facts.targets.find((t) => t.environment === "production")!.uri!,
          protocol: "ws-json",
          publicVars: {},
        }),
      );
      const restored = await uploadVersion(adapter, "echogate-chat-production", [own], { labels: {} });
      await release(adapter, "echogate-chat-production", LIVE_CHANNEL, restored.version, "restore");
    }
  });

  it("degrades to unknown with a warning when the hosting API is unreachable", async () => {
    const drift = await runEchogate("drift", "--json");
    expect(drift.exitCode).toBe(0);
    const report = drift.json<DriftReport>();
    expect(findings(report)).toEqual(["warning:web-reachable", "warning:web-reachable"]);
    expect(report.findings[0]!.message).toMatch(
      /^Can't tell which server the web front end of staging connects to: Failed to read channel live: Firebase Hosting at http:\/\/127\.0\.0\.1:9 is unreachable\./,
    );
    expect(report.matrix.rows.find((r) => r.id === "web.serverUrl")?.cells.map((c) => c.text)).toEqual([
      "unknown",
      "unknown",
    ]);

    function runEchogate(...argv: string[]) {
      return echogate(cwd, { ...cloudRun.env, ECHOGATE_HOSTING_URL: "http://127.0.0.1:9" }, ...argv);
    }
  });
});
