import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { processIsRunning } from "@echogate/common/process-alive";
import { type RunningEmulator, type StartEmulatorOptions, startEmulator } from "@echogate/emulator";
import { afterAll, beforeAll } from "vitest";
import {
  type CloudRunApiError,
  type CloudRunClients,
  cloudRunErrorOf,
  createCloudRunClients,
} from "../../deploy/platform/cloudrun/clients.js";
import { testdir } from "../helpers/testdir.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const PROJECT = "demo-project";
export const LOCATION = "europe-west1";
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;
export const serviceName = (id: string) => `${PARENT}/services/${id}`;

/**
 * `serve` listens on 0.0.0.0 at $PORT as Cloud Run's container contract asks; `loopback` on
 * 127.0.0.1 at $PORT (unreachable on Cloud Run); `fixed-port` on 0.0.0.0 at $FIXED_PORT, ignoring
 * $PORT; `port-taken-once` crashes on its first start with Node's own EADDRINUSE for $PORT (it holds
 * $PORT on 127.0.0.3, then listens on 0.0.0.0:$PORT, as when another process took the port), then serves (the count of starts is
 * appended to $STARTS_FILE).
 */
export type ImageBehavior = "serve" | "exit" | "never-listen" | "loopback" | "fixed-port" | "port-taken-once";

// A tiny HTTP + WebSocket server: every path but /hang answers { service, revision, version, seen:
// the authorization headers it received, … } (/hang never answers), WebSocket messages are echoed
// back prefixed by the revision name.
const serverScript = (behavior: ImageBehavior) => `
const http = require("node:http");
const behavior = ${JSON.stringify(behavior)};
if (behavior === "exit") {
  console.error("boot: loading config");
  console.error("fatal: DATABASE_URL is not set");
  process.exit(3);
}
if (behavior === "never-listen") {
  console.error("waiting for a dependency that never comes");
  setInterval(() => {}, 1000);
} else {
  const { WebSocketServer } = require("ws");
  const info = (req) => ({
    service: process.env.K_SERVICE,
    revision: process.env.K_REVISION,
    configuration: process.env.K_CONFIGURATION,
    version: process.env.APP_VERSION,
    greeting: process.env.GREETING ?? null,
    argv: process.argv.slice(2),
    pid: process.pid,
    env: { HOST: process.env.HOST ?? null, PORT: process.env.PORT ?? null },
    localAddress: req.socket.localAddress,
  });
  const server = http.createServer((req, res) => {
    if (req.url === "/hang") return;
    res.writeHead(200, { "content-type": "application/json" });
    const seen = {
      authorization: req.headers.authorization ?? null,
      serverlessAuthorization: req.headers["x-serverless-authorization"] ?? null,
    };
    res.end(JSON.stringify({ ...info(req), seen }));
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => ws.on("message", (m) => ws.send(process.env.K_REVISION + ":" + m)));
  if (behavior === "port-taken-once") {
    const fs = require("node:fs");
    fs.appendFileSync(process.env.STARTS_FILE, "start\\n");
    if (fs.readFileSync(process.env.STARTS_FILE, "utf8").split("\\n").length === 2) {
      // The port held on an address the emulator never connects to, so only the crash is seen.
      http.createServer().listen(Number(process.env.PORT), "127.0.0.3", () => server.listen(Number(process.env.PORT), "0.0.0.0"));
      return;
    }
  }
  if (behavior === "loopback") server.listen(Number(process.env.PORT), "127.0.0.1");
  else if (behavior === "fixed-port") server.listen(Number(process.env.FIXED_PORT), "0.0.0.0");
  else server.listen(Number(process.env.PORT), "0.0.0.0");
  process.on("SIGTERM", () => process.exit(0));
}
`;

/** Writes an image into the store per the local image store contract; returns its reference. */
export async function writeTestImage(
  imageStoreDir: string,
  options: { version?: string; behavior?: ImageBehavior } = {},
): Promise<{ ref: string; digest: string }> {
  const behavior = options.behavior ?? "serve";
  const version = options.version ?? "0.1.0+test";
  const script = serverScript(behavior);
  const hex = createHash("sha256").update(`${version}\n${script}`).digest("hex");
  const digest = `sha256:${hex}`;
  const dir = path.join(imageStoreDir, `sha256-${hex}`);
  await mkdir(path.join(dir, "rootfs"), { recursive: true });
  await writeFile(path.join(dir, "rootfs", "server.cjs"), script);
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest,
    name: "echogate-test-server",
    version,
    gitSha: "abc1234",
    createdAt: new Date().toISOString(),
    entrypoint: ["node", "server.cjs"],
    // NODE_PATH lets the CommonJS fixture require `ws` from this repo's node_modules.
    env: { APP_VERSION: version, NODE_PATH: path.join(repoRoot, "node_modules") },
    workingDir: ".",
  };
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return { ref: `local/echogate-test-server@${digest}`, digest };
}

export interface TestEmulator {
  dir: string;
  stateDir: string;
  imageStoreDir: string;
  emulator: RunningEmulator;
  clients: CloudRunClients;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestEmulator(options: Partial<StartEmulatorOptions> = {}): Promise<TestEmulator> {
  const dir = await testdir({});
  const stateDir = path.join(dir, ".echogate", "emulator");
  const imageStoreDir = path.join(dir, ".echogate", "images");
  await mkdir(imageStoreDir, { recursive: true });
  const start = () =>
    startEmulator({
      stateDir,
      imageStoreDir,
      startupTimeoutMs: 3_000,
      idleStopMs: 500,
      terminationGraceMs: 2_000,
      log: process.env.EMULATOR_DEBUG ? (m: string) => console.error(m) : undefined,
      ...options,
    });
  const t: TestEmulator = {
    dir,
    stateDir,
    imageStoreDir,
    emulator: await start(),
    clients: undefined as unknown as CloudRunClients,
    async restart() {
      await t.clients.close();
      await t.emulator.close();
      t.emulator = await start();
      t.clients = createCloudRunClients({ kind: "emulator", apiEndpoint: t.emulator.apiEndpoint });
    },
    async close() {
      await t.clients.close();
      await t.emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  t.clients = createCloudRunClients({ kind: "emulator", apiEndpoint: t.emulator.apiEndpoint });
  return t;
}

/**
 * A test emulator for the enclosing describe block (or file): started in a `beforeAll`, before any
 * the block registers after this call, and closed in an `afterAll`. Read it inside hooks and tests.
 */
export function useTestEmulator(options: Partial<StartEmulatorOptions> = {}): TestEmulator {
  let current: TestEmulator | undefined;
  beforeAll(async () => {
    current = await startTestEmulator(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestEmulator, {
    get(_, key) {
      if (!current) throw new Error("useTestEmulator: the emulator is read before its beforeAll ran.");
      const value: unknown = Reflect.get(current, key);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}

export function template(image: string, extra: Record<string, unknown> = {}) {
  return { containers: [{ image }], ...extra };
}

export async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, unknown>;
}

/** Still running: a zombie (exited, not yet reaped by this test process, its parent) is not. */
export function isAlive(pid: number): boolean {
  return processIsRunning(pid);
}

/** Awaits a call expected to fail and returns its Google error body. */
export async function apiFailure(call: Promise<unknown>): Promise<CloudRunApiError> {
  try {
    await call;
  } catch (error) {
    const parsed = cloudRunErrorOf(error);
    if (parsed) return parsed;
    throw error;
  }
  throw new Error("Expected the call to fail, but it succeeded.");
}

/** Grants allUsers the invoker role, as `gcloud run services add-iam-policy-binding` would. */
export async function allowPublic(clients: CloudRunClients, id: string): Promise<void> {
  const resource = serviceName(id);
  const [policy] = await clients.services.getIamPolicy({ resource });
  await clients.services.setIamPolicy({
    resource,
    policy: {
      ...policy,
      bindings: [...(policy.bindings ?? []), { role: "roles/run.invoker", members: ["allUsers"] }],
    },
  });
}
