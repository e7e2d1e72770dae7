// Journey: foreign projects adopted and released through the packed tarball.
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commitAll,
  type EchogateRun,
  echogateBin,
  installInto,
  packEchogate,
  prepareFixture,
  removeCreated,
} from "./foreign-project.js";

// The four adoption fixtures (test/fixtures/adopt-round2/), as a release engineer adopts echogate:
// packed and installed, `init --yes`, the to-dos that are not server code (env values, a Cloud Build
// step that deployed around the gate, a shared Redis declared) and the one server edit allowed (a
// /health version field), then check, build, deploy staging, promote production on the emulator it
// starts itself. Nothing else in the servers is changed.
//
// Before the emulator, the drafted smoke spec runs as written against the server started by hand with
// staging's env file (`echogate smoke URL --spec environments/smoke.yaml`): the join, send and expect
// init wrote fit the real server.

let tarball: string;
beforeAll(async () => {
  tarball = await packEchogate();
}, 180_000);
afterAll(removeCreated);

function expectOk(run: EchogateRun, what: string): void {
  expect(run.exitCode, `${what}\n${run.stderr}\n${run.stdout}`).toBe(0);
}

async function edit(dir: string, path: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(join(dir, path), "utf8");
  const next = text.replace(from, to);
  expect(next, `${path}: ${String(from)}`).not.toBe(text);
  await writeFile(join(dir, path), next);
}

/** Sets one environment's values where init left a commented line for it to set. */
async function setEnv(dir: string, environment: string, values: Record<string, string>): Promise<void> {
  const path = join(dir, "environments", `.env.${environment}`);
  let text = await readFile(path, "utf8");
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^# ${key}=.*$`, "m");
    expect(text, `${key} in .env.${environment}`).toMatch(line);
    text = text.replace(line, `${key}=${value}`);
  }
  await writeFile(path, text);
}

async function adopt(name: string, userEdits: (dir: string) => Promise<void>): Promise<string> {
  const dir = await prepareFixture(name, undefined, "adopt-round2");
  await installInto(dir, tarball);
  await commitAll(dir);
  expectOk(await echogateBin(dir, "init", "--yes"), "init --yes");
  await userEdits(dir);
  await commitAll(dir);
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An env file's KEY=value lines (the generated files hold nothing fancier). */
async function envOf(dir: string, environment: string): Promise<Record<string, string>> {
  const text = await readFile(join(dir, "environments", `.env.${environment}`), "utf8");
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/** Starts the server as its start script would, with staging's env file, then runs the drafted smoke spec against it. */
async function smokeDraftAgainst(dir: string, command: string[]): Promise<void> {
  const port = await freePort();
  const server = execa(command[0]!, command.slice(1), {
    cwd: dir,
    env: { ...(await envOf(dir, "staging")), PORT: String(port), APP_VERSION: "draft-check" },
    reject: false,
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    const started = Date.now();
    for (;;) {
      const up = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      expect(server.exitCode, "the server exited before answering /health").toBeNull();
      expect(Date.now() - started, "the server answered /health within 20 s").toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const smoke = await echogateBin(dir, "smoke", url, "--spec", "environments/smoke.yaml");
    expectOk(smoke, "smoke with the drafted environments/smoke.yaml");
  } finally {
    server.kill("SIGTERM");
    await server;
  }
}

/** check, build, deploy staging, promote production; the two gate results (JSON) for a closer look. */
async function release(dir: string): Promise<{ staging: string; production: string }> {
  expectOk(await echogateBin(dir, "check"), "check");
  expectOk(await echogateBin(dir, "build", "--json"), "build");
  const staging = await echogateBin(dir, "deploy", "staging", "--json");
  expectOk(staging, "deploy staging");
  const production = await echogateBin(dir, "promote", "production", "--json");
  expectOk(production, "promote production");
  return { staging: staging.stdout, production: production.stdout };
}

/**
 * Declares REDIS_URL shared: every environment here uses this machine's one Redis, which the
 * shared-backend rule refuses unless the schema says so, with a reason (a config edit, as a user makes).
 */
async function shareRedis(dir: string): Promise<void> {
  await edit(
    dir,
    "environments/env.schema.yaml",
    / {2}REDIS_URL: \{ type: url \}/,
    "  REDIS_URL: { type: url, shared: { environments: [preview, staging, production], reason: one Redis on the test machine } }",
  );
}

async function stopEmulator(dir: string | undefined): Promise<void> {
  if (dir) await echogateBin(dir, "emulator", "stop");
}

describe("adopted: a Socket.IO signaling server (archive, client beside it, .firebaserc, two Cloud Build files)", () => {
  let dir: string | undefined;
  afterAll(() => stopEmulator(dir));

  it("init --yes, the /health version field, ALLOWED_ORIGINS per environment: the drafted smoke passes on the server, check, build, deploy staging, promote production", async () => {
    dir = await adopt("signaling", async (project) => {
      await edit(project, "lib/health.js", 'version: "1.0.0"', 'version: process.env.APP_VERSION || "dev"');
      // init's to-do: the Cloud Build step that deploys around the gate becomes the gated promote.
      await edit(
        project,
        "deployment/cloudbuild.production.yaml",
        / {2}- name: gcr\.io\/google\.com\/cloudsdktool\/cloud-sdk\n[\s\S]*? {6}- europe-west1\n/,
        '  - name: node:20\n    entrypoint: npx\n    args: ["echogate", "promote", "production"]\n',
      );
      await setEnv(project, "preview", { ALLOWED_ORIGINS: "https://festival-signal-preview.web.app" });
      await setEnv(project, "staging", { ALLOWED_ORIGINS: "https://festival-signal-staging.web.app" });
      await setEnv(project, "production", { ALLOWED_ORIGINS: "https://festival-signal.web.app" });
    });
    await smokeDraftAgainst(dir, ["node", "server.js"]);
    await release(dir);
  }, 300_000);
});

describe("adopted: the official Socket.IO chat example (socket.broadcast.emit, no Dockerfile)", () => {
  let dir: string | undefined;
  afterAll(() => stopEmulator(dir));

  it("init --yes and the /health version field: the drafted smoke passes on the server, check, build, deploy staging, promote production", async () => {
    dir = await adopt("chat-example", async (project) => {
      await edit(
        project,
        "index.js",
        "res.json({ status: 'ok' })",
        "res.json({ status: 'ok', version: process.env.APP_VERSION || 'dev' })",
      );
    });
    await smokeDraftAgainst(dir, ["node", "index.js"]);
    await release(dir);
  }, 300_000);
});

describe("adopted: Express + Socket.IO + REST + PostgreSQL, .env.example, no Dockerfile", () => {
  let dir: string | undefined;
  const databases = {
    preview: "echogate_r2_rest_preview",
    staging: "echogate_r2_rest_staging",
    production: "echogate_r2_rest_production",
  };
  beforeAll(async () => {
    const psql = (sql: string) =>
      execa("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-tAc", sql]);
    const exists = async (name: string) =>
      (await psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).stdout.trim() === "1";
    for (const name of Object.values(databases)) {
      if (await exists(name)) continue;
      // Another run may create it between the two statements.
      await psql(`CREATE DATABASE ${name}`).catch(async (error: unknown) => {
        if (!(await exists(name))) throw error;
      });
    }
  });
  afterAll(() => stopEmulator(dir));

  it("init --yes, each environment's DATABASE_URL, REDIS_URL and CORS_ORIGIN: the drafted smoke passes on the server, check, build, deploy staging, promote production", async () => {
    dir = await adopt("rest-chat", async (project) => {
      await setEnv(project, "preview", {
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${databases.preview}`,
        REDIS_URL: "redis://127.0.0.1:6379/4",
        CORS_ORIGIN: "https://rest-chat-preview.web.app",
      });
      await setEnv(project, "staging", {
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${databases.staging}`,
        REDIS_URL: "redis://127.0.0.1:6379/5",
        CORS_ORIGIN: "https://rest-chat-staging.web.app",
      });
      await setEnv(project, "production", {
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${databases.production}`,
        REDIS_URL: "redis://127.0.0.1:6379/6",
        CORS_ORIGIN: "https://rest-chat.web.app",
      });
      await shareRedis(project);
    });
    await smokeDraftAgainst(dir, ["node", "src/index.js"]);
    const gates = await release(dir);
    // The gate ran the scenarios init drafted (a late joiner's history, a REST burst) in staging.
    expect(gates.staging).toContain('"history-on-join"');
    expect(gates.staging).toContain('"rest-burst"');
  }, 300_000);
});

describe("adopted: a TypeScript ws server on /ws with Redis pub/sub (Dockerfile with # escape=`, ARG/ENV, CMD npm start)", () => {
  let dir: string | undefined;
  afterAll(() => stopEmulator(dir));

  it("init --yes and each environment's REDIS_URL: the drafted smoke passes on the server (Redis pub/sub, /ws), check, build, deploy staging, promote production", async () => {
    dir = await adopt("ws-redis", async (project) => {
      await setEnv(project, "preview", { REDIS_URL: "redis://127.0.0.1:6379/9" });
      await setEnv(project, "staging", { REDIS_URL: "redis://127.0.0.1:6379/7" });
      await setEnv(project, "production", { REDIS_URL: "redis://127.0.0.1:6379/8" });
      await shareRedis(project);
    });
    expectOk(
      await execa("npm", ["run", "build"], { cwd: dir, reject: false }).then((r) => ({
        exitCode: r.exitCode ?? -1,
        stdout: r.stdout,
        stderr: r.stderr,
      })),
      "npm run build",
    );
    await smokeDraftAgainst(dir, ["node", "dist/server.js"]);
    // check traces dist/server.js to src/server.ts through the tsc build stage; build writes an ES
    // module (the server uses top-level await).
    await release(dir);
  }, 300_000);
});
