// Journey: npm pack, then npm install (a native addon compiled) into projects no one here wrote.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commitAll,
  echogateBin,
  type InstallTimes,
  installInto,
  packEchogate,
  prepareFixture,
  removeCreated,
  writeFiles,
} from "../init/foreign-project.js";

// echogate as a user gets it: `npm pack`ed, installed into a project no one here wrote, run from
// node_modules/.bin against the embedded emulator it starts itself.
//
// Environments are written by hand below; once `echogate init --yes` exists it replaces
// `environmentsFor` (one line in each beforeAll).

interface FixtureConfig {
  service: string;
  protocol: "socket.io" | "ws-json";
  envFile: (environment: string) => string;
  /** Extra smoke echo keys (YAML flow mapping entries). */
  echo?: string;
}

function environmentsFor(config: FixtureConfig): Record<string, string> {
  const yaml = (environment: "staging" | "production") =>
    [
      `kind: ${environment}`,
      "service:",
      "  endpoint: local",
      "  project: adopt-test",
      "  regions: [us-central1]",
      `  name: ${config.service}-${environment}`,
      `  envFile: ${config.envFile(environment)}`,
      ...(environment === "production" ? ["promotesFrom: staging"] : []),
      "smoke:",
      "  health: { timeoutMs: 15000 }",
      `  echo: { protocol: ${config.protocol}, timeoutMs: 5000${config.echo ? `, ${config.echo}` : ""} }`,
      "",
    ].join("\n");
  return {
    "environments/staging.yaml": yaml("staging"),
    "environments/production.yaml": yaml("production"),
    "environments/env.schema.yaml": [
      "version: 1",
      "variables:",
      "  ALLOWED_ORIGINS: { type: string, description: Browser origins the server accepts. }",
      "  LOG_LEVEL: { type: enum, values: [debug, info, warn, error], description: Log verbosity. }",
      "",
    ].join("\n"),
  };
}

/** What a host's npm override of node-domexception did to echogate's Cloud Run client. */
const brokenDomException = {
  "vendor/node-domexception/package.json": JSON.stringify({
    name: "node-domexception",
    version: "9.9.9",
    type: "module",
    exports: "./index.js",
  }),
  "vendor/node-domexception/index.js": "export const DOMException = globalThis.DOMException;\n",
};

async function addOverride(dir: string): Promise<void> {
  await writeFiles(dir, brokenDomException);
  const path = join(dir, "package.json");
  const pkg = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  pkg.overrides = { "node-domexception": "file:./vendor/node-domexception" };
  await writeFile(path, `${JSON.stringify(pkg, null, 2)}\n`);
}

let tarball: string;
beforeAll(async () => {
  tarball = await packEchogate();
}, 120_000);
afterAll(removeCreated);

function expectOk(run: { exitCode: number; stderr: string; stdout: string }, what: string): void {
  expect(run.exitCode, `${what}\n${run.stderr}\n${run.stdout}`).toBe(0);
}

/** Every step a release engineer runs after adopting echogate, from the installed copy. */
async function releaseFlow(dir: string, mode: "bundle" | "installed-deps"): Promise<void> {
  expectOk(await echogateBin(dir, "check"), "check");
  const build = await echogateBin(dir, "build", "--json");
  expectOk(build, "build");
  const built = JSON.parse(build.stdout) as { mode: string; version: string; digest: string };
  expect(built.mode).toBe(mode);
  const deploy = await echogateBin(dir, "deploy", "staging", "--json");
  expectOk(deploy, "deploy staging");
  const promote = await echogateBin(dir, "promote", "production", "--json");
  expectOk(promote, "promote production");
  const status = await echogateBin(dir, "status", "--json");
  expectOk(status, "status");
  expect(status.stdout).toContain(built.version);
}

describe("packed and installed into a Socket.IO chat (Express, npm start, Dockerfile, deploy/cloudbuild.yaml)", () => {
  let dir: string;
  let times: InstallTimes;
  beforeAll(async () => {
    dir = await prepareFixture("socketio-chat", addOverride);
    times = await installInto(dir, tarball);
    await writeFiles(
      dir,
      environmentsFor({
        service: "sio-chat",
        protocol: "socket.io",
        envFile: (e) => `../.env.${e}`,
        // The chat confirms a join with a `joined` event: wait for it before sending.
        echo: 'join: { event: join-room, payload: { roomId: "{{room}}" }, waitFor: { event: joined, match: { roomId: "{{room}}" } } }',
      }),
    );
    await commitAll(dir);
  }, 240_000);
  afterAll(async () => {
    if (dir) await echogateBin(dir, "emulator", "stop");
  });

  it("installs only echogate's runtime dependency, so the host's node-domexception override can't reach it", async () => {
    expect(times.echogateMs).toBeGreaterThan(0);
    const pkg = JSON.parse(await readFile(join(dir, "node_modules", "echogate", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).toEqual(["esbuild"]);
  });

  it("check, build (bundle), deploy staging through the gate, promote production, status", async () => {
    await releaseFlow(dir, "bundle");
  }, 180_000);
});

describe("packed and installed into a ws server with better-sqlite3 (a native addon)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await prepareFixture("native-ws");
    await installInto(dir, tarball);
    await writeFiles(dir, {
      ...environmentsFor({ service: "native-ws", protocol: "ws-json", envFile: (e) => `.env.${e}` }),
      "environments/.env.staging": "ALLOWED_ORIGINS=https://staging.example.com\nLOG_LEVEL=debug\n",
      "environments/.env.production": "ALLOWED_ORIGINS=https://example.com\nLOG_LEVEL=info\n",
    });
    await commitAll(dir);
  }, 600_000);
  afterAll(async () => {
    if (dir) await echogateBin(dir, "emulator", "stop");
  });

  it("check and drift --source list the addon and pass the Dockerfile that builds and ships it", async () => {
    const check = await echogateBin(dir, "check", "--json");
    expectOk(check, "check");
    const report = JSON.parse(check.stdout) as { nativeAddons: { name: string; compiles: boolean }[] };
    expect(report.nativeAddons).toEqual([
      expect.objectContaining({ name: "better-sqlite3", compiles: true }),
    ]);
    const drift = await echogateBin(dir, "drift", "--source");
    expectOk(drift, "drift --source");
    expect(drift.stdout).toMatch(/Native addons.*\n\s+better-sqlite3@12\.\d+\.\d+ \(binding\.gyp/);
  });

  it("the preflight refuses a slim image installing with --ignore-scripts, naming Dockerfile:line", async () => {
    const good = await readFile(join(dir, "Dockerfile"), "utf8");
    await writeFile(
      join(dir, "Dockerfile"),
      [
        "FROM node:20-slim",
        "WORKDIR /app",
        "COPY package.json package-lock.json ./",
        "RUN npm ci --omit=dev --ignore-scripts",
        "COPY src ./src",
        'CMD ["node", "src/server.js"]',
        "",
      ].join("\n"),
    );
    try {
      const check = await echogateBin(dir, "check");
      expect(check.exitCode).toBe(1);
      expect(check.stderr).toMatch(/error\[drift\.native-deps\] Dockerfile:4: .*better-sqlite3/);
      expect(check.stdout).toContain("check failed: 1 error");
      const drift = await echogateBin(dir, "drift", "--source", "--json");
      expect(drift.exitCode).toBe(1);
      expect(drift.stdout).toContain("native.ignore-scripts");
    } finally {
      await writeFile(join(dir, "Dockerfile"), good);
    }
  });

  it("builds with the installed dependencies and runs it on the emulator: deploy staging, promote production", async () => {
    await releaseFlow(dir, "installed-deps");
  }, 180_000);
});
