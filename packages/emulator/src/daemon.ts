import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { httpRequest } from "@echogate/common/http-request";
import { IMAGE_STORE_RELATIVE_DIR } from "@echogate/common/image-manifest";
import { processIsRunning } from "@echogate/common/process-alive";
import { ensurePrivateDir, openPrivateLog, writePrivateFile } from "@echogate/common/state-file";
import { emulatorDirs } from "./locations.js";
import { PIDS_FILE, reapOrphans } from "./process-registry.js";

// Detached emulator for the CLI (`echogate emulator start|stop|status`).
//
// It runs both local emulators: Cloud Run and Firebase Hosting, so channel URLs printed by
// `web deploy` / `preview deploy` keep serving after those commands exit.
//
// How it is spawned (all in `daemonCommand` below):
// `node <this file> --state-dir D --image-store I --hosting-dir H`.
// From source (this file is daemon.ts) the child runs as `node --import <tsx loader> daemon.ts`.
// From a build, daemon.ts must be bundled as its own entry `emulator-daemon.js` next to the CLI
// bundle (or stay unbundled as daemon.js); the child then runs as plain `node emulator-daemon.js`.
// The module runs `runDaemon()` itself when the process entry is one of those files.

const INFO_FILE = "emulator.json";
const START_TIMEOUT_MS = 20_000;

/** Also where `deploy/hosting/connect.ts` looks for a running hosting emulator. */
const HOSTING_INFO_FILE = "emulator.json";

export interface EmulatorInfo {
  pid: number;
  apiEndpoint: string;
  /** Absent from a daemon started by an older echogate. */
  hostingEndpoint?: string;
  startedAt: string;
}

export interface EmulatorStatus {
  running: boolean;
  apiEndpoint?: string;
  hostingEndpoint?: string;
  pid?: number;
}

export interface EnsuredEmulator {
  apiEndpoint: string;
  hostingEndpoint: string | undefined;
  pid: number;
  /** True when this call started the daemon (it keeps running after the command). */
  started: boolean;
}

const stateDirOf = (projectDir: string) => emulatorDirs(projectDir).state;
const infoFileOf = (projectDir: string) => path.join(stateDirOf(projectDir), INFO_FILE);

/** Runs the emulator in this process until SIGTERM/SIGINT; writes `<stateDir>/emulator.json`. */
export async function runDaemon(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stateDir = arg("--state-dir");
  const imageStoreDir = arg("--image-store");
  const hostingDir = arg("--hosting-dir");
  if (!stateDir || !imageStoreDir || !hostingDir)
    throw new Error(
      "Usage: daemon --state-dir DIR --image-store DIR --hosting-dir DIR [--port N] [--hosting-port N]",
    );
  // Only the daemon runs the Cloud Run emulator: a command that merely finds or starts the daemon
  // (status, deploy, …) doesn't load it and the Admin API descriptors it validates requests with.
  const { startEmulator } = await import("./emulator.js");
  const start = (port: number) =>
    startEmulator({ stateDir, imageStoreDir, port, log: (m) => console.error(`[emulator] ${m}`) });
  // The previous ports are preferred; if something else took one, any free port will do.
  const emulator = await start(Number(arg("--port") ?? 0)).catch(() => start(0));
  // Hosting's `run` rewrites reach the services of this Cloud Run emulator.
  const startHosting = async (port: number) =>
    (await import("./hosting/start-hosting-emulator.js")).startHostingEmulator({
      dir: hostingDir,
      port,
      cloudRunApi: emulator.apiEndpoint,
    });
  const hosting = await startHosting(Number(arg("--hosting-port") ?? 0)).catch(() => startHosting(0));
  const info: EmulatorInfo = {
    pid: process.pid,
    apiEndpoint: emulator.apiEndpoint,
    hostingEndpoint: hosting.url,
    startedAt: new Date().toISOString(),
  };
  const hostingInfoFile = path.join(hostingDir, HOSTING_INFO_FILE);
  await writeJson(hostingInfoFile, { url: hosting.url, pid: process.pid });
  // Written last: its presence means both emulators answer.
  const infoFile = path.join(stateDir, INFO_FILE);
  await writeJson(infoFile, info);
  const shutdown = async () => {
    await Promise.allSettled([emulator.close(), hosting.close()]);
    await rm(infoFile, { force: true });
    await rm(hostingInfoFile, { force: true });
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writePrivateFile(file, JSON.stringify(value, null, 2));
}

/** The one place that knows how to launch the daemon: [executable, ...args]. */
function daemonCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".ts")) {
    const tsx = createRequire(import.meta.url).resolve("tsx");
    return [process.execPath, "--import", pathToFileURL(tsx).href, self];
  }
  if (path.basename(self) === "daemon.js") return [process.execPath, self];
  const bundled = path.join(path.dirname(self), "emulator-daemon.js");
  if (!existsSync(bundled)) throw new Error(`Failed to find the emulator daemon entry at ${bundled}.`);
  return [process.execPath, bundled];
}

async function readInfo(projectDir: string): Promise<EmulatorInfo | undefined> {
  try {
    return JSON.parse(await readFile(infoFileOf(projectDir), "utf8")) as EmulatorInfo;
  } catch {
    return undefined;
  }
}

async function answers(apiEndpoint: string): Promise<boolean> {
  try {
    const res = await httpRequest(
      `${apiEndpoint}/v2/projects/echogate/locations/us-central1/operations?pageSize=1`,
      {
        timeoutMs: 2_000,
      },
    );
    return res.ok;
  } catch {
    return false;
  }
}

export async function emulatorStatus(projectDir: string): Promise<EmulatorStatus> {
  const info = await readInfo(projectDir);
  if (!info || !processIsRunning(info.pid) || !(await answers(info.apiEndpoint))) return { running: false };
  return {
    running: true,
    apiEndpoint: info.apiEndpoint,
    ...(info.hostingEndpoint ? { hostingEndpoint: info.hostingEndpoint } : {}),
    pid: info.pid,
  };
}

const ensured = (
  info: { apiEndpoint?: string; hostingEndpoint?: string; pid?: number },
  started: boolean,
): EnsuredEmulator => ({
  apiEndpoint: info.apiEndpoint!,
  hostingEndpoint: info.hostingEndpoint,
  pid: info.pid!,
  started,
});

/** Returns the running emulators of this project, starting a detached daemon if needed. */
export async function ensureEmulator(projectDir: string): Promise<EnsuredEmulator> {
  const live = await readInfo(projectDir);
  const running = live && processIsRunning(live.pid) ? await awaitRunningDaemon(live) : undefined;
  if (running) return running;
  const stateDir = stateDirOf(projectDir);
  await ensurePrivateDir(stateDir);
  await rm(infoFileOf(projectDir), { force: true });
  const previous = await readPort(stateDir, "api-port");
  const previousHosting = await readPort(stateDir, "hosting-port");
  const [executable, ...args] = daemonCommand();
  const log = openPrivateLog(path.join(stateDir, "daemon.log"));
  const child = spawn(
    executable!,
    [
      ...args,
      "--state-dir",
      stateDir,
      "--image-store",
      path.join(projectDir, IMAGE_STORE_RELATIVE_DIR),
      "--hosting-dir",
      emulatorDirs(projectDir).hosting,
      ...(previous ? ["--port", String(previous)] : []),
      ...(previousHosting ? ["--hosting-port", String(previousHosting)] : []),
    ],
    { detached: true, stdio: ["ignore", log, log], cwd: projectDir },
  );
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const info = await readInfo(projectDir);
    if (info && (await answers(info.apiEndpoint))) {
      await writePrivateFile(path.join(stateDir, "api-port"), new URL(info.apiEndpoint).port);
      if (info.hostingEndpoint)
        await writePrivateFile(path.join(stateDir, "hosting-port"), new URL(info.hostingEndpoint).port);
      return ensured(info, true);
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Failed to start the emulators; see ${path.join(stateDir, "daemon.log")}.`);
}

/**
 * A daemon that is alive but slow to answer (a loaded machine) is waited for, never replaced: a
 * second daemon could not take the first one's ports, so its Hosting channels would come up on new
 * origins and every server deployed with the old ones would refuse the site.
 */
async function awaitRunningDaemon(info: EmulatorInfo): Promise<EnsuredEmulator | undefined> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(info.apiEndpoint)) return ensured(info, false);
    // It died meanwhile: starting a new one is right.
    if (!processIsRunning(info.pid)) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `The emulator daemon (pid ${info.pid}) is running but does not answer at ${info.apiEndpoint}; stop it with \`echogate emulator stop\` and try again.`,
  );
}

/** Stops the project's emulators (SIGTERM; it stops its revision processes and channel servers). */
export async function stopEmulator(projectDir: string): Promise<{ stopped: boolean; orphansEnded: number }> {
  const info = await readInfo(projectDir);
  const hostingInfo = path.join(emulatorDirs(projectDir).hosting, HOSTING_INFO_FILE);
  if (!info || !processIsRunning(info.pid)) {
    await rm(infoFileOf(projectDir), { force: true });
    await removeHostingInfoOf(hostingInfo, info?.pid);
    // A daemon killed with -9 could not stop its revisions: end them now.
    const orphans = reapOrphans(path.join(stateDirOf(projectDir), PIDS_FILE));
    return { stopped: false, orphansEnded: orphans.length };
  }
  process.kill(info.pid, "SIGTERM");
  // Revision processes get up to 10 s between SIGTERM and SIGKILL.
  const deadline = Date.now() + 15_000;
  while (processIsRunning(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processIsRunning(info.pid)) process.kill(info.pid, "SIGKILL");
  await rm(infoFileOf(projectDir), { force: true });
  await removeHostingInfoOf(hostingInfo, info.pid);
  return { stopped: true, orphansEnded: 0 };
}

/** Only the daemon's own hosting info: a hosting emulator run by someone else stays findable. */
async function removeHostingInfoOf(file: string, pid: number | undefined): Promise<void> {
  try {
    const owner = (JSON.parse(await readFile(file, "utf8")) as { pid?: number }).pid;
    if (owner === pid || (owner !== undefined && !processIsRunning(owner))) await rm(file, { force: true });
  } catch {
    // absent or unreadable: nothing to remove
  }
}

/** The port used last time, so endpoints stay stable across restarts when possible. */
async function readPort(stateDir: string, file: "api-port" | "hosting-port"): Promise<number | undefined> {
  try {
    const port = Number((await readFile(path.join(stateDir, file), "utf8")).trim());
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

// Matched by file name, not import.meta.url: with code splitting this module may live in a shared
// chunk while the process entry is dist/emulator-daemon.js.
const entryName = process.argv[1] ? path.basename(process.argv[1]) : "";
if (/^(emulator-)?daemon\.(ts|js|mjs)$/.test(entryName) && process.argv.includes("--state-dir")) {
  runDaemon().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
