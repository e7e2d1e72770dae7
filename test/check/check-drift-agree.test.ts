import { describe, expect, it } from "vitest";
import { CONSISTENT_SOURCES, driftProject, ENV_SCHEMA, SEED_SOURCES } from "../drift/project.js";
import { runEchogate } from "../helpers/run-cli.js";

const lines = (...items: string[]) => `${items.join("\n")}\n`;
const PASSWORD = "S3cretRedisPass";
const SCHEMA_WITH_REDIS = `${ENV_SCHEMA}  REDIS_URL: { type: string }\n`;
const env = (name: string, extra: Record<string, string> = {}) => ({
  BUILD_TARGET: name,
  LOG_LEVEL: "info",
  SESSION_SECRET: `${name}-secret-value-123`,
  ...extra,
});

const NPM_START_SOURCES = {
  "package.json": JSON.stringify(
    { name: "chat", version: "1.0.0", scripts: { start: "node server.js", dev: "node server.js" } },
    null,
    2,
  ),
  Dockerfile: lines(
    "FROM node:20-slim",
    "WORKDIR /app",
    "COPY package*.json ./",
    "RUN npm ci --omit=dev",
    "COPY . .",
    'CMD ["npm","start"]',
  ),
  "server.js": "// io.to(room)\n",
};

/** Projects shaped like what adoption hit; each is judged by `check` and `drift --source`. */
const FIXTURES: Record<string, () => Promise<string>> = {
  'CMD ["npm","start"]': () =>
    driftProject({ environments: { staging: {}, production: {} }, sources: NPM_START_SOURCES }),
  "the seed outage (Dockerfile and dev script start different files)": () =>
    driftProject({ environments: { staging: {}, production: {} }, sources: SEED_SOURCES }),
  "a Cloud Build step deploying around the gate": () =>
    driftProject({
      environments: { staging: {}, production: {} },
      sources: {
        ...CONSISTENT_SOURCES,
        "deployment/cloudbuild.yaml": lines(
          "steps:",
          "  - name: gcr.io/google.com/cloudsdktool/cloud-sdk",
          "    entrypoint: bash",
          "    args: ['-c', 'gcloud run deploy chat --image $_IMAGE --allow-unauthenticated']",
        ),
      },
    }),
  "a native addon the server loads, on alpine without a toolchain": () =>
    driftProject({
      environments: { staging: {}, production: {} },
      sources: {
        "package.json": JSON.stringify({
          name: "chat",
          version: "1.0.0",
          scripts: { dev: "node server.js" },
          dependencies: { "gyp-only": "1.0.0", sqlite3: "5.1.7" },
        }),
        Dockerfile: lines(
          "FROM node:18-alpine",
          "WORKDIR /app",
          "COPY package*.json ./",
          "RUN npm ci --omit=dev",
          "COPY . .",
          'CMD ["node", "server.js"]',
        ),
        "server.js": 'require("gyp-only");\n',
        "node_modules/gyp-only/package.json": JSON.stringify({
          name: "gyp-only",
          version: "1.0.0",
          gypfile: true,
        }),
        "node_modules/gyp-only/binding.gyp": "{}",
        "node_modules/gyp-only/index.js": 'module.exports = require("./build/Release/gyp.node");\n',
        // Listed, never loaded: neither command may judge it.
        "node_modules/sqlite3/package.json": JSON.stringify({
          name: "sqlite3",
          version: "5.1.7",
          gypfile: true,
        }),
        "node_modules/sqlite3/binding.gyp": "{}",
      },
    }),
  "staging and production on one Redis": () =>
    driftProject({
      environments: {
        staging: { env: env("staging", { REDIS_URL: `redis://default:${PASSWORD}@10.0.0.5:6379/0` }) },
        production: { env: env("production", { REDIS_URL: `redis://default:${PASSWORD}@10.0.0.5:6379/1` }) },
      },
      files: { "environments/env.schema.yaml": SCHEMA_WITH_REDIS },
    }),
};

interface Problem {
  code: string;
  file: string | null;
  line: number | null;
  severity: string;
}
interface DriftFinding {
  rule: string;
  severity: string;
  location?: { file: string; line?: number };
}

describe("check and drift --source agree on the same files", () => {
  it.each(Object.keys(FIXTURES))("%s", async (name) => {
    const cwd = await FIXTURES[name]!();
    const check = await runEchogate(["check", "--json"], { cwd });
    const drift = await runEchogate(["drift", "--source", "--json"], { cwd });
    const fromCheck = check
      .json<{ problems: Problem[] }>()
      .problems.filter((problem) => problem.code.startsWith("drift."))
      .map(
        (problem) =>
          `${problem.severity} ${problem.code.slice("drift.".length)} ${problem.file}:${problem.line}`,
      )
      .sort();
    const fromDrift = drift
      .json<{ findings: DriftFinding[] }>()
      .findings.map(
        (finding) =>
          `${finding.severity} ${finding.rule} ${finding.location?.file}:${finding.location?.line ?? null}`,
      )
      .sort();
    expect(fromCheck).toEqual(fromDrift);
    expect(check.exitCode, check.stderr).toBe(drift.exitCode);
    expect(check.stdout + check.stderr + drift.stdout + drift.stderr).not.toContain(PASSWORD);
    if (name.startsWith("CMD")) expect(drift.exitCode, drift.stdout).toBe(0);
    else expect(fromDrift.some((finding) => finding.startsWith("error "))).toBe(true);
  });
});

describe("shared-backend", () => {
  it("refuses staging and production on one Redis (exit 1), naming both files and the key, never the password", async () => {
    const cwd = await FIXTURES["staging and production on one Redis"]!();
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode).toBe(1);
    const line = run.stderr.split("\n").find((text) => text.includes("[drift.shared-backend"));
    expect(line, run.stderr).toBeDefined();
    expect(line).toContain("REDIS_URL");
    expect(line).toContain("environments/.env.staging:4");
    expect(line).toContain("environments/.env.production:4");
    // The backend is named by scheme, host and port only (here the redactor masks the host too: the value holds a password).
    expect(line).toMatch(/same backend \(redis:\/\/[^ @]*:6379\)/);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it("passes a share env.schema.yaml declares with a reason, with a notice; one it doesn't cover still fails", async () => {
    const declared = (environments: string) =>
      `${ENV_SCHEMA}  REDIS_URL:\n    type: string\n    shared:\n      environments: [${environments}]\n      reason: one managed Redis, keys prefixed per environment\n`;
    const project = (schema: string) =>
      driftProject({
        environments: {
          staging: { env: env("staging", { REDIS_URL: "redis://10.0.0.5:6379" }) },
          production: { env: env("production", { REDIS_URL: "redis://10.0.0.5:6379" }) },
        },
        files: { "environments/env.schema.yaml": schema },
      });
    const cwd = await project(declared("staging, production"));
    const check = await runEchogate(["check"], { cwd });
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stderr).toContain(
      "Notice: REDIS_URL: staging and production share redis://10.0.0.5:6379, declared in environments/env.schema.yaml (one managed Redis, keys prefixed per environment).",
    );
    const drift = await runEchogate(["drift", "--source"], { cwd });
    expect(drift.exitCode).toBe(0);
    expect(drift.stderr).toContain("Notice: REDIS_URL: staging and production share");

    const partial = await project(declared("staging, preview"));
    expect((await runEchogate(["check"], { cwd: partial })).exitCode).toBe(1);
    // A declaration without a reason is a schema error at its key.
    const noReason = await project(
      `${ENV_SCHEMA}  REDIS_URL: { type: string, shared: { environments: [staging, production] } }\n`,
    );
    const refused = await runEchogate(["check"], { cwd: noReason });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("REDIS_URL.shared");
  });

  it("tells private backends from public URLs: host:port of a private address counts, an https API doesn't", async () => {
    const { backendOf } = await import("../../deploy/envfiles/shared-backend.js");
    expect(backendOf("postgresql://app:pw@db.internal:5432/chat")?.shown).toBe(
      "postgresql://db.internal:5432/chat",
    );
    expect(backendOf("mongodb+srv://u:p@cluster0.example.net/app")?.shown).toBe(
      "mongodb+srv://cluster0.example.net/app",
    );
    expect(backendOf("amqps://mq.example.com")?.id).toBe("amqp://mq.example.com:5672");
    expect(backendOf("192.168.1.20:6379")?.shown).toBe("192.168.1.20:6379");
    expect(backendOf("127.0.0.1:5432")).toBeDefined();
    expect(backendOf("8.8.8.8:53")).toBeUndefined();
    expect(backendOf("https://api.example.com")).toBeUndefined();
    // Redis pub/sub spans database numbers: /0 and /1 are one backend; two Postgres databases are not.
    expect(backendOf("redis://h:6379/0")?.id).toBe(backendOf("rediss://h:6379/1")?.id);
    expect(backendOf("postgres://h/a")?.id).not.toBe(backendOf("postgres://h/b")?.id);
  });
});
