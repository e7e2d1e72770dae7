import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchVersion, resolveBuildVersion, withContentHash } from "../../deploy/build/version.js";
import { loadEnvironments } from "../../deploy/config/load-environments.js";
import { requireProjectSettings } from "../../deploy/config/load-project-settings.js";
import type { DriftReport } from "../../deploy/drift/report/drift-report.js";
import { resolveLayout } from "../../deploy/source/layout.js";
import { driftProject } from "../drift/project.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const lines = (...items: string[]) => `${items.join("\n")}\n`;
const envs = { staging: {}, production: { promotesFrom: "staging" } };
const defaults = { workingDir: "." };

/** A project whose `dev` runs the Next.js front end, the server is a plain signaling-server.js. */
const festivalChat = {
  "package.json": JSON.stringify(
    {
      name: "festival",
      version: "2.1.0",
      scripts: { dev: "next dev -H 0.0.0.0", start: "node signaling-server.js" },
    },
    null,
    2,
  ),
  Dockerfile: lines(
    "FROM node:20-slim",
    "WORKDIR /app",
    "COPY signaling-server.js ./",
    'CMD ["node", "signaling-server.js"]',
  ),
  "deployment/cloudbuild-minimal.yaml": lines(
    "steps:",
    "  - name: gcr.io/cloud-builders/docker",
    "    args: ['build', '-f', 'Dockerfile', '-t', 'gcr.io/$PROJECT_ID/x', '.']",
  ),
  "signaling-server.js": "// io.to(room)\n",
};

describe("layout settings", () => {
  it("skips a dev script that runs the front end and finds a Cloud Build file in a subfolder", async () => {
    const cwd = await driftProject({ environments: envs, sources: festivalChat });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    const report = run.json<DriftReport>();
    expect(report.findings).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(report.facts.source.devScript).toMatchObject({
      entry: "signaling-server.js",
      file: "package.json",
    });
    expect(report.facts.source.cloudbuild).toMatchObject({
      entry: "signaling-server.js",
      file: "deployment/cloudbuild-minimal.yaml",
    });
    expect(report.facts.source.absent).toEqual([]);
  });

  it("a dev script named in echogate.yaml is compared, and its finding's hint names a real setting", async () => {
    const cwd = await driftProject({
      environments: envs,
      sources: festivalChat,
      files: { "environments/echogate.yaml": lines("layout:", "  devScript: dev") },
    });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    const finding = run.json<DriftReport>().findings.find((f) => f.rule === "source-entry-known");
    expect(finding?.message).toContain('Can\'t tell which server file the "dev" script runs');
    // The setting is already set: the hint says what to change in the script, never "set layout.devScript".
    expect(finding?.hint).toContain("layout.devScript already names this script");
    expect(finding?.hint).not.toContain("set layout.devScript");
    // `devScript: false` says no script starts the server: nothing to report.
    const none = await driftProject({
      environments: envs,
      sources: festivalChat,
      files: { "environments/echogate.yaml": lines("layout:", "  devScript: false") },
    });
    expect((await runEchogate(["drift", "--source"], { cwd: none })).exitCode).toBe(0);
  });

  it("a named Cloud Build file that doesn't exist is a finding, not (none)", async () => {
    const cwd = await driftProject({
      environments: envs,
      sources: festivalChat,
      files: { "environments/echogate.yaml": lines("layout:", "  cloudbuild: ci/cloudbuild.yaml") },
    });
    const run = await runEchogate(["drift", "--source"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("ci/cloudbuild.yaml doesn't exist");
    expect(run.stdout).not.toMatch(/Cloud Build\s+\(none\)/);
  });

  it("reads a server in a monorepo subfolder (workingDir) and compares it with layout.serverEntry", async () => {
    const sources = {
      "server/package.json": JSON.stringify({
        name: "srv",
        version: "1.0.0",
        scripts: { dev: "node src/index.js" },
      }),
      "server/Dockerfile": lines("FROM node:20-slim", "COPY src ./src", 'CMD ["node", "src/index.js"]'),
      "server/src/index.js": "// server\n",
      "web/package.json": JSON.stringify({ scripts: { dev: "vite" } }),
    };
    const settings = (entry: string) => ({
      "environments/echogate.yaml": lines("layout:", "  workingDir: server", `  serverEntry: ${entry}`),
    });
    const good = await driftProject({ environments: envs, sources, files: settings("server/src/index.js") });
    const ok = await runEchogate(["drift", "--source", "--json"], { cwd: good });
    expect(ok.json<DriftReport>().facts.source.dockerfile).toMatchObject({
      entry: "server/src/index.js",
      file: "server/Dockerfile",
    });
    expect(ok.exitCode).toBe(0);
    const bad = await driftProject({ environments: envs, sources, files: settings("server/src/old.js") });
    const run = await runEchogate(["drift", "--source"], { cwd: bad });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("layout.serverEntry runs server/src/old.js");
  });

  it("resolveLayout is pure: named files win, several candidates detect nothing", () => {
    const files = ["a/Dockerfile", "b/Dockerfile", "ci/cloudbuild.yaml"];
    expect(resolveLayout(defaults, files, undefined)).toMatchObject({
      dockerfile: undefined,
      cloudbuild: { path: "ci/cloudbuild.yaml", named: false },
    });
    expect(
      resolveLayout({ ...defaults, dockerfile: "./a/Dockerfile", cloudbuild: false }, files, undefined),
    ).toMatchObject({
      dockerfile: { path: "a/Dockerfile", named: true },
      cloudbuild: undefined,
    });
  });

  it("suggests the key meant for a typo in environments/*.yaml and echogate.yaml", async () => {
    const cwd = await driftProject({
      environments: { staging: { service: { maxInstance: 2 } } },
      files: { "environments/echogate.yaml": lines("layout:", "  dockerFile: Dockerfile") },
    });
    const run = await runEchogate(["check", "--json"], { cwd });
    expect(run.exitCode).toBe(2);
    const problems = run.json<{ problems: Array<{ message: string; hint: string | null; file: string }> }>()
      .problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: 'Unknown key "maxInstance".',
          hint: 'Did you mean "maxInstances"?',
        }),
        expect.objectContaining({
          message: 'Unknown key "dockerFile".',
          hint: 'Did you mean "dockerfile"?',
          file: "environments/echogate.yaml",
        }),
      ]),
    );
  });
});

describe("config keys", () => {
  it("suggests a smoke spec key in an environment and in environments/smoke.yaml, and accepts type: boolean", async () => {
    const cwd = await driftProject({
      environments: { staging: { smoke: lines("smoke:", "  echo:", "    senderRecievesEcho: false") } },
      files: {
        "environments/smoke.yaml": lines("helth:", "  path: /healthz"),
        "environments/env.schema.yaml": lines(
          "version: 1",
          "variables:",
          "  BUILD_TARGET: { type: string, environmentName: true }",
          "  LOG_LEVEL: { type: string, default: info }",
          "  SESSION_SECRET: { type: string, secret: true }",
          "  FEATURE_X: { type: boolean, default: false }",
        ),
      },
    });
    const run = await runEchogate(["check", "--json"], { cwd });
    const problems = run.json<{ problems: Array<{ message: string; hint: string | null; file: string }> }>()
      .problems;
    expect(problems).toEqual([
      expect.objectContaining({
        message: 'Unknown key "senderRecievesEcho".',
        hint: 'Did you mean "senderReceivesEcho"?',
        file: "environments/staging.yaml",
      }),
      expect.objectContaining({
        message: 'Unknown key "helth".',
        hint: 'Did you mean "health"?',
        file: "environments/smoke.yaml",
      }),
    ]);
  });
});

describe("environments/smoke.yaml", () => {
  it("is the smoke spec of every environment without its own smoke: section", async () => {
    const cwd = await driftProject({
      environments: {
        staging: {},
        production: { promotesFrom: "staging", smoke: lines("smoke:", "  echo:", "    clients: 4") },
      },
      files: {
        "environments/smoke.yaml": lines("health:", "  path: /healthz", "echo:", "  protocol: socket.io"),
      },
    });
    const { environments, diagnostics } = await loadEnvironments(cwd);
    expect(diagnostics.errors).toEqual([]);
    const smokeOf = (name: string) => environments.find((e) => e.name === name)!.config.smoke;
    expect(smokeOf("staging")).toMatchObject({
      health: { path: "/healthz" },
      echo: { protocol: "socket.io" },
    });
    expect(smokeOf("production")).toMatchObject({ health: { path: "/health" }, echo: { clients: 4 } });
    expect(environments.map((e) => e.name)).toEqual(["production", "staging"]);
  });
});

describe("version source", () => {
  it("reads a file with a pattern, or runs a command", async () => {
    expect(matchVersion('export const VERSION = "3.4.5";\n', 'VERSION = "([^"]+)"')).toBe("3.4.5");
    expect(matchVersion("nothing here", "v(\\d+)")).toBeUndefined();
    const dir = await testdir({ "package.json": "{}", VERSION: "7.0.1\n" });
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync(
      "git",
      ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x"],
      {
        cwd: dir,
      },
    );
    const fromFile = await resolveBuildVersion(dir, { from: "file", file: "VERSION", pattern: "(\\S+)" });
    expect(fromFile.version).toMatch(/^7\.0\.1\+[0-9a-f]{7}$/);
    const fromCommand = await resolveBuildVersion(dir, { from: "command", command: "echo 9.9.9-rc1" });
    expect(fromCommand.version).toBe("9.9.9-rc1");
    // Used whole, even on a tree with uncommitted changes (a file version gets the code's hash).
    await writeFile(join(dir, "tracked.txt"), "1");
    execFileSync("git", ["add", "tracked.txt"], { cwd: dir });
    const dirtyCommand = await resolveBuildVersion(dir, { from: "command", command: "echo 9.9.9-rc1" });
    expect(dirtyCommand.dirty).toBe(true);
    expect(withContentHash(dirtyCommand, "abcdef1234").version).toBe("9.9.9-rc1");
    const dirtyFile = await resolveBuildVersion(dir, { from: "file", file: "VERSION", pattern: "(\\S+)" });
    expect(withContentHash(dirtyFile, "abcdef1234").version).toMatch(
      /^7\.0\.1\+[0-9a-f]{7}\.dirty\.abcdef1$/,
    );
    await expect(resolveBuildVersion(dir, { from: "command", command: "exit 3" })).rejects.toThrow(
      /exited 3/,
    );
    const configured = await testdir({
      "package.json": "{}",
      "environments/echogate.yaml": lines("version:", "  from: command", "  command: echo 5.0.0-beta"),
    });
    expect(
      (await resolveBuildVersion(configured, (await requireProjectSettings(configured)).version)).version,
    ).toBe("5.0.0-beta");
  });
});
