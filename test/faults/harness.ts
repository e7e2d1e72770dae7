import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { type GateRecord, readGateRecords } from "../../deploy/model/gate-records.js";
import { type PromotionLock, readLock } from "../../deploy/model/lock.js";
import type { CloudRunAdapter } from "../../deploy/platform/cloudrun/adapter.js";
import type { InvokerAccess } from "../../deploy/platform/cloudrun/invoker-access.js";
import type { TrafficTarget } from "../../deploy/platform/cloudrun/service-model.js";
import { referenceServer } from "../helpers/images.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface CliEvent {
  event: string;
  step?: string;
  [key: string]: unknown;
}

export interface SpawnedRun {
  /** Exit code, or undefined when it was killed. */
  exitCode: number | undefined;
  killed: boolean;
  events: CliEvent[];
  /** The step that was running or had just finished when the kill came. */
  killedAt?: string;
  stdout: string;
}

/**
 * `echogate <argv> --json` as a real process; `killWhen` sees each NDJSON progress event (and its
 * index) and returns true to kill -9 the process right there.
 */
export function runEchogateProcess(
  projectDir: string,
  env: Record<string, string>,
  argv: string[],
  killWhen?: (event: CliEvent, index: number) => boolean,
): Promise<SpawnedRun> {
  const child = spawn(
    process.execPath,
    [`${repoRoot}bin/echogate.js`, ...argv, "--json", "--cwd", projectDir],
    {
      env: { ...process.env, ...env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const run: SpawnedRun = { exitCode: undefined, killed: false, events: [], stdout: "" };
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    run.stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith("{") || run.killed) continue;
      let event: CliEvent;
      try {
        event = JSON.parse(line) as CliEvent;
      } catch {
        continue;
      }
      run.events.push(event);
      if (killWhen?.(event, run.events.length - 1)) {
        run.killed = child.kill("SIGKILL");
        run.killedAt = `${event.event} ${event.step ?? ""}`.trim();
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      run.exitCode = code ?? undefined;
      resolve(run);
    });
  });
}

export interface SwitchableImage {
  digest: string;
  version: string;
  /** From now on /health answers 410 on every running process of this image: its gate fails. */
  fail(): Promise<void>;
  heal(): Promise<void>;
}

/**
 * The reference server behind a switch: while `BROKEN` exists in the image's root, /health answers
 * 410 (a final answer, so the gate fails at once). Lets a test fail the gate of a revision that
 * already runs and passed before, as a flaky build would.
 */
export async function switchableImage(
  projectDir: string,
  version: string,
  extraEnv: Record<string, string> = {},
): Promise<SwitchableImage> {
  const wrapper = `const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === "request" && fs.existsSync(path.join(__dirname, "BROKEN"))) {
    res.writeHead(410, { "content-type": "text/plain" });
    res.end("switched off by the test");
    return true;
  }
  return emit.apply(this, arguments);
};
require("./reference-server.js");
`;
  const server = await referenceServer();
  const env = { APP_VERSION: version, NODE_ENV: "production", ...extraEnv };
  const hex = createHash("sha256").update(wrapper).update(server).update(JSON.stringify(env)).digest("hex");
  const dir = join(projectDir, ".echogate", "images", `sha256-${hex}`);
  const rootfs = join(dir, "rootfs");
  await mkdir(rootfs, { recursive: true });
  await writeFile(join(rootfs, "server.js"), wrapper);
  await writeFile(join(rootfs, "reference-server.js"), server);
  await writeFile(join(rootfs, "package.json"), JSON.stringify({ private: true, type: "commonjs" }));
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest: `sha256:${hex}`,
    name: "echogate-server",
    version,
    gitSha: "0123456789abcdef0123456789abcdef01234567",
    createdAt: new Date().toISOString(),
    entrypoint: ["node", "server.js"],
    env,
    workingDir: ".",
  };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  const marker = join(rootfs, "BROKEN");
  return {
    digest: manifest.digest,
    version,
    fail: () => writeFile(marker, "1"),
    heal: () => rm(marker, { force: true }),
  };
}

export interface LiveState {
  exists: boolean;
  traffic: TrafficTarget[];
  records: GateRecord[];
  access: InvokerAccess | undefined;
  lock: PromotionLock | undefined;
}

/** What the world sees, read through the real client: routing, gate records, invoker policy. */
export async function readLive(adapter: CloudRunAdapter, service: string): Promise<LiveState> {
  const loaded = await adapter.getService(service).catch(() => adapter.getService(service));
  if (!loaded) return { exists: false, traffic: [], records: [], access: undefined, lock: undefined };
  const snapshot = loaded.snapshot;
  const traffic = snapshot.traffic.map((t) =>
    t.type === "LATEST" && snapshot.latestReadyRevision
      ? { ...t, revision: snapshot.latestReadyRevision }
      : t,
  );
  return {
    exists: true,
    traffic,
    records: readGateRecords(snapshot.annotations),
    access: await adapter.invokerAccess(service),
    lock: readLock(snapshot.annotations),
  };
}

/** The promise: the public never reaches a revision whose gate did not pass. */
export function gateViolations(live: LiveState): string[] {
  if (!live.exists || live.access !== "public") return [];
  const latest = new Map<string, GateRecord>();
  for (const record of live.records) latest.set(record.revision, record);
  return live.traffic
    .filter((t) => t.percent > 0 && latest.get(t.revision ?? "")?.result !== "passed")
    .map(
      (t) =>
        `public ${t.percent}% on ${t.revision ?? "LATEST"} whose gate ${latest.get(t.revision ?? "")?.result ?? "never ran"}`,
    );
}

export const servingShare = (live: LiveState) => live.traffic.filter((t) => t.percent > 0);
