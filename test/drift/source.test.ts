import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDriftPolicy } from "../../deploy/drift/policy-file.js";
import type { DriftReport } from "../../deploy/drift/report/drift-report.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";
import { CONSISTENT_SOURCES, driftProject, SEED_SOURCES } from "./project.js";

const envs = { staging: {}, production: { promotesFrom: "staging" } };

describe("echogate drift --source (no cloud calls)", () => {
  it("catches the seed outage: Dockerfile copies one server file, dev runs another — with file:line", async () => {
    const cwd = await driftProject({ environments: envs, sources: SEED_SOURCES });
    const run = await runEchogate(["drift", "--source"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("signaling-server-production.js");
    expect(run.stdout).toContain("signaling-server-sqlite-enhanced.js");
    expect(run.stdout).toMatch(
      /source-entry: the Dockerfile runs signaling-server-production\.js \(Dockerfile\.minimal:\d+\), but the dev script runs signaling-server-sqlite-enhanced\.js \(package\.json:\d+\)/,
    );
    expect(run.stdout).toMatch(/Drift found: 1 error/);
  });

  it("refuses (exit 2) a directory with nothing to compare, rather than calling it clean", async () => {
    const run = await runEchogate(["drift", "--source"], {
      cwd: await testdir({ "README.md": "not a project" }),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Nothing to compare");
  });

  it("fails closed (exit 2, never 'Clean') when an environment file is broken", async () => {
    const cwd = await driftProject({ environments: envs, sources: CONSISTENT_SOURCES });
    const clean = await runEchogate(["drift", "--source"], { cwd });
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    await writeFile(join(cwd, "environments", "staging.yaml"), "kind: staging\nservice: [broken\n");
    for (const argv of [
      ["drift", "--source"],
      ["drift", "--source", "--json"],
      ["drift", "--source", "--markdown"],
    ]) {
      const run = await runEchogate(argv, { cwd });
      expect(run.exitCode, argv.join(" ")).toBe(2);
      expect(run.stdout + run.stderr).toContain("environments/staging.yaml");
      expect(run.stdout).not.toMatch(/Clean|No blocking drift/);
    }
  });

  it("--json carries every fact and finding", async () => {
    const cwd = await driftProject({ environments: envs, sources: SEED_SOURCES });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    const report = run.json<DriftReport>();
    expect(report.facts.source.dockerfile).toMatchObject({
      entry: "signaling-server-production.js",
      file: "Dockerfile.minimal",
      line: 5,
    });
    expect(report.facts.source.devScript).toMatchObject({
      entry: "signaling-server-sqlite-enhanced.js",
      file: "package.json",
    });
    expect(report.findings).toEqual([
      expect.objectContaining({
        rule: "source-entry",
        severity: "error",
        location: { file: "package.json", line: expect.any(Number) },
      }),
    ]);
    expect(report.facts.targets).toEqual([]);
  });

  it("emits GitHub annotations with file and line under GITHUB_ACTIONS", async () => {
    const cwd = await driftProject({ environments: envs, sources: SEED_SOURCES });
    const run = await runEchogate(["drift", "--source", "--markdown"], {
      cwd,
      env: { GITHUB_ACTIONS: "true" },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /^::error file=package\.json,line=\d+,title=echogate drift%3A source-entry::the Dockerfile runs/m,
    );
    expect(run.stdout).toMatch(/^### echogate drift \(source\)/);
    expect(run.stdout).toContain("❌ **source-entry**");
    // Annotations never go to stdout: it may be appended to $GITHUB_STEP_SUMMARY.
    expect(run.stdout).not.toContain("::error");
  });

  it("blocks an image starting a file it can't trace to the project (exit 1), unless drift.yaml lowers it with a reason", async () => {
    const untraceable = {
      ...CONSISTENT_SOURCES,
      "Dockerfile.minimal": 'FROM node:20-slim\nWORKDIR /app\nCOPY server.js ./\nCMD ["node", "other.js"]\n',
    };
    const cwd = await driftProject({ environments: envs, sources: untraceable });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.json<DriftReport>().findings).toEqual([
      expect.objectContaining({
        rule: "source-entry-known",
        severity: "error",
        message: expect.stringMatching(/runs \/app\/other\.js, but can't trace it to a project file/),
        location: { file: "Dockerfile.minimal", line: 4 },
      }),
    ]);
    const lowered = await driftProject({
      environments: envs,
      sources: untraceable,
      files: {
        "environments/drift.yaml":
          "rules:\n  source-entry-known:\n    severity: warning\n    reason: other.js is generated in CI\n",
      },
    });
    const allowed = await runEchogate(["drift", "--source"], { cwd: lowered });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toContain("source-entry-known: error → warning — other.js is generated in CI");
  });

  it("treats a package.json without a dev script as no dev server, not as an entry it can't read", async () => {
    const noDev = {
      ...CONSISTENT_SOURCES,
      "package.json": JSON.stringify({
        name: "chat",
        version: "1.0.0",
        scripts: { start: "node server.js" },
      }),
    };
    const cwd = await driftProject({ environments: envs, sources: noDev });
    const run = await runEchogate(["drift", "--source"], { cwd });
    expect(run.exitCode).toBe(0);
    // No `dev`: the detected dev script is `start`, which runs the same server.
    expect(run.stdout).toMatch(/dev script\s+server\.js\s+package\.json:1/);
    const noServerScript = await driftProject({
      environments: envs,
      sources: { ...noDev, "package.json": JSON.stringify({ name: "chat", scripts: { lint: "biome ." } }) },
    });
    const none = await runEchogate(["drift", "--source"], { cwd: noServerScript });
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toMatch(/dev script\s+\(none\)/);
    const broken = await driftProject({
      environments: envs,
      sources: { ...noDev, "package.json": JSON.stringify({ scripts: { dev: "npm run missing" } }) },
    });
    expect((await runEchogate(["drift", "--source"], { cwd: broken })).exitCode).toBe(1);
  });

  it("compares every environment's env file by default, preview and local included", async () => {
    const cwd = await driftProject({
      environments: {
        local: {},
        preview: { kind: "preview", env: { BUILD_TARGET: "preview", SESSION_SECRET: "p-secret-1" } },
        ...envs,
      },
    });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.json<DriftReport>().findings.map((f) => f.message)).toEqual([
      "environments/.env.preview (preview) has no LOG_LEVEL, but local, staging and production set it (environments/.env.local:2).",
    ]);
  });

  it("compares env-file key sets, allowing environment-specific keys", async () => {
    const cwd = await driftProject({
      environments: {
        staging: {
          env: {
            BUILD_TARGET: "staging",
            LOG_LEVEL: "info",
            SESSION_SECRET: "s-secret-1",
            REDIS_URL: "redis://r",
          },
        },
        production: {
          env: { BUILD_TARGET: "production", LOG_LEVEL: "warn", SESSION_SECRET: "p-secret-1", PORT: "8080" },
        },
      },
    });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    const report = run.json<DriftReport>();
    expect(report.findings.map((f) => f.message)).toEqual([
      "environments/.env.production (production) has no REDIS_URL, but staging set it (environments/.env.staging:4).",
    ]);
    expect(run.stdout).not.toContain("p-secret-1");
  });

  it("is clean (exit 0) when every source agrees, and works without environments/", async () => {
    const cwd = await driftProject({ environments: envs });
    expect((await runEchogate(["drift", "--source"], { cwd })).exitCode).toBe(0);
    const bare = await driftProject({ environments: {} });
    const run = await runEchogate(["drift", "--source"], { cwd: bare });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("server.js");
  });
});

describe("the server's listening address (Cloud Run's container contract)", () => {
  it("warns, with file and line, when the server (or a file it imports) listens on loopback only", async () => {
    const cwd = await driftProject({
      environments: envs,
      sources: {
        ...CONSISTENT_SOURCES,
        "server.js": 'const { start } = require("./src/listen");\nstart();\n',
        "src/listen.js":
          'const http = require("node:http");\nexports.start = () =>\n  http.createServer().listen(Number(process.env.PORT), "127.0.0.1");\n',
      },
    });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json<DriftReport>().findings).toEqual([
      expect.objectContaining({
        rule: "listen-all-interfaces",
        severity: "warning",
        message: expect.stringContaining(
          "listens on 127.0.0.1 (loopback) only: Cloud Run sends requests to 0.0.0.0",
        ),
        location: { file: "src/listen.js", line: 3 },
      }),
    ]);
  });
});

describe("environments/drift.yaml", () => {
  it("refuses unknown keys, unknown rules and overrides without a reason (exit 2, with positions)", async () => {
    const cwd = await driftProject({
      environments: envs,
      files: {
        "environments/drift.yaml": [
          "version: 1",
          "rules:",
          "  websocket-timeout:",
          "    severity: off",
          "  no-such-rule:",
          "    severity: warning",
          "    reason: typo",
          "  entry:",
          "    severity: warning",
          "    reason: ok",
          "    colour: red",
          "",
        ].join("\n"),
      },
    });
    const run = await runEchogate(["drift", "--source"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /environments\/drift\.yaml:3:3 \(rules\.websocket-timeout\): Missing required key "reason"/,
    );
    expect(run.stderr).toMatch(
      /environments\/drift\.yaml:5:3 \(rules\.no-such-rule\): Unknown drift rule "no-such-rule"/,
    );
    expect(run.stderr).toMatch(
      /environments\/drift\.yaml:11:5 \(rules\.entry\.colour\): Unknown key "colour"/,
    );
  });

  it("shows each override's reason in the report", async () => {
    const cwd = await driftProject({
      environments: envs,
      sources: SEED_SOURCES,
      files: {
        "environments/drift.yaml":
          "rules:\n  source-entry:\n    severity: warning\n    reason: migrating to one server file this sprint\n",
      },
    });
    const run = await runEchogate(["drift", "--source"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("source-entry: error → warning — migrating to one server file this sprint");
  });

  it("checks environment names against every environment, not only the ones selected", async () => {
    const policy =
      "rules:\n  gate-passed:\n    severity: error\n    environments: [staging, production]\n    reason: deployed only through the gate\n";
    const cwd = await driftProject({ environments: envs, files: { "environments/drift.yaml": policy } });
    const production = await runEchogate(["drift", "--source", "--env", "production"], { cwd });
    expect(production.stderr).not.toMatch(/not an environment/);
    expect(production.exitCode).toBe(0);

    const typo = await driftProject({
      environments: envs,
      files: { "environments/drift.yaml": policy.replace("[staging,", "[stagin,") },
    });
    const run = await runEchogate(["drift", "--source", "--env", "production"], { cwd: typo });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /environments\/drift\.yaml:4:20 \(rules\.gate-passed\.environments\[0\]\): "stagin" is not an environment \(production, staging\)/,
    );
  });

  it("knows an environment whose file is broken still exists: no false 'not an environment'", async () => {
    const cwd = await driftProject({
      environments: envs,
      files: {
        "environments/drift.yaml":
          "rules:\n  gate-passed:\n    environments: [staging, production]\n    reason: deployed only through the gate\n",
      },
    });
    await writeFile(join(cwd, "environments/staging.yaml"), "kind: staging\nservice: {}\n");
    const run = await runEchogate(["drift", "--source", "--env", "production"], { cwd });
    expect(run.stderr).toMatch(/environments\/staging\.yaml/);
    expect(run.stderr).not.toMatch(/not an environment/);
    expect(run.exitCode).toBe(0);
  });

  it("this repo's drift.yaml loads cleanly, and a timeout under its minimum is an error as its reason says", async () => {
    const root = join(import.meta.dirname, "../..");
    const names = ["local", "preview", "production", "staging"];
    const { policy, diagnostics } = await loadDriftPolicy(root, names);
    expect(diagnostics.items).toEqual([]);
    expect(policy.overrides.find((o) => o.rule === "websocket-timeout")).toMatchObject({
      severity: "error",
      min: 3600,
    });
  });

  it("refuses an unknown --env (exit 2)", async () => {
    const cwd = await driftProject({ environments: envs });
    const run = await runEchogate(["drift", "--source", "--env", "prod"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('No environment named "prod"');
  });
});
