import { appendFile, cp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildImage } from "../../deploy/build/build-image.js";
import { bundleServer } from "../../deploy/build/bundle-server.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// The ws-redis adoption fixture: TypeScript compiled by `tsc` in the Dockerfile's build stage
// (`CMD ["npm","start"]` → `node dist/server.js`), an ES module with top-level await, Redis pub/sub.
// check must trace dist/server.js back to src/server.ts; build must bundle it as an ES module.

const fixture = join(process.cwd(), "test", "fixtures", "adopt-round2", "ws-redis");
const git = (dir: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir });

let dir: string;
beforeAll(async () => {
  dir = await testdir({});
  await cp(fixture, dir, { recursive: true });
  // sqlite3 is declared but not imported by the server: no install script (native build) is needed.
  await execa("npm", ["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir });
  await git(dir, "init", "-q");
  expect((await runEchogate(["init", "--yes"], { cwd: dir })).exitCode).toBe(0);
  // init's to-do: each deployed environment sets its own REDIS_URL (a backend URL must differ).
  for (const kind of ["preview", "staging", "production"])
    await appendFile(
      join(dir, "environments", `.env.${kind}`),
      `REDIS_URL=redis://redis-${kind}.internal:6379\n`,
    );
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "adopt echogate");
}, 120_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the image's entrypoint in its rootfs and proves a message goes out through Redis and back. */
async function expectImageRelays(image: Awaited<ReturnType<typeof buildImage>>): Promise<void> {
  const [node, ...args] = image.manifest.entrypoint;
  expect(node).toBe("node");
  const port = await freePort();
  const server = execa(process.execPath, args, {
    cwd: join(image.dir, "rootfs"),
    env: {
      ...image.manifest.env,
      PORT: String(port),
      REDIS_URL: "redis://127.0.0.1:6379/9",
      // Channels are server-wide in Redis: a prefix of this run's own keeps other tests' messages out.
      REDIS_CHANNEL_PREFIX: `tsentry-${process.pid}-${port}`,
    },
    reject: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on("data", (chunk) => String(chunk).includes("listening") && resolve());
      void server.then((result) => reject(new Error(`server exited ${result.exitCode}: ${result.stderr}`)));
    });
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { version: string };
    expect(health.version).toBe(image.version);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const received: unknown[] = [];
    const next = () =>
      new Promise<Record<string, unknown>>((resolve) =>
        ws.once("message", (data) => {
          const message = JSON.parse(String(data)) as Record<string, unknown>;
          received.push(message);
          resolve(message);
        }),
      );
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const joined = next();
    ws.send(JSON.stringify({ type: "join", room: "lobby" }));
    expect(await joined).toEqual({ type: "joined", room: "lobby" });
    const relayed = next();
    ws.send(JSON.stringify({ type: "message", room: "lobby", id: "m1", text: "hello" }));
    expect(await relayed).toMatchObject({ type: "message", room: "lobby", id: "m1", text: "hello" });
    ws.close();
  } finally {
    server.kill("SIGTERM");
    await server;
  }
}

describe("a TypeScript ES-module server built by tsc in its Dockerfile (ws-redis)", () => {
  it("check traces the image's dist/server.js to src/server.ts through `npm run build` = `tsc -p .` and passes", async () => {
    const check = await runEchogate(["check"], { cwd: dir });
    expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout + check.stderr).toContain(
      "Installed, never loaded by src/server.ts (not checked): sqlite3",
    );
    const drift = await runEchogate(["drift", "--source", "--json"], { cwd: dir });
    expect(drift.stdout).toContain(
      "Dockerfile runs src/server.ts (as /app/dist/server.js; built by tsc with tsconfig.json (outDir dist → rootDir src; .js from .ts/.tsx/.jsx)).",
    );
  }, 60_000);

  it("build bundles src/server.ts, ws and redis into server.mjs (top-level await) and the image serves: /health, join, a message relayed through Redis", async () => {
    const build = await runEchogate(["build", "--json"], { cwd: dir });
    expect(build.exitCode, build.stderr).toBe(0);
    const image = await buildImage({ projectDir: dir });
    expect(image.entry).toBe("src/server.ts");
    // The import graph is followed as an ES module: sqlite3 is installed but never loaded.
    expect(image.mode).toBe("bundle");
    expect(image.manifest.entrypoint).toEqual(["node", "server.mjs"]);
    // The bundled ws and redis require() Node's modules: without the banner's require the server exits.
    await expectImageRelays(image);
    const code = await readFile(join(image.dir, "rootfs", "server.mjs"), "utf8");
    expect(code).toContain("__echogateCreateRequire(import.meta.url)");
  }, 60_000);

  it("in installed-deps mode the ES module imports ws and redis from the image's node_modules", async () => {
    const image = await buildImage({ projectDir: dir, mode: "installed-deps" });
    expect(image.mode).toBe("installed-deps");
    expect(image.manifest.entrypoint).toEqual(["node", "server.mjs"]);
    await expectImageRelays(image);
  }, 60_000);
});

describe("bundle format", () => {
  const server = (code: string) =>
    `import { createServer } from "node:http";\n${code}\ncreateServer().listen(0);\n`;

  it("keeps CommonJS (server.js) for a server CommonJS can hold, and picks an ES module for .mts, top-level await or import.meta", async () => {
    const project = await testdir({
      "package.json": JSON.stringify({ name: "formats", type: "module" }),
      "plain.ts": server("export const a = 1;"),
      "entry.mts": server(""),
      "tla.ts": server("await Promise.resolve();"),
      "meta.ts": server("console.log(import.meta.url);"),
    });
    const formats = async (entry: string) => {
      const bundle = await bundleServer(project, entry);
      return [bundle.format, bundle.file, bundle.reason];
    };
    expect(await formats("plain.ts")).toEqual(["cjs", "server.js", "plain.ts is CommonJS or converts to it"]);
    expect(await formats("entry.mts")).toEqual(["esm", "server.mjs", "entry.mts is an ES module (.mts)"]);
    expect(await formats("tla.ts")).toEqual(["esm", "server.mjs", "tla.ts uses top-level await"]);
    expect(await formats("meta.ts")).toEqual(["esm", "server.mjs", "meta.ts reads import.meta"]);
  });
});
