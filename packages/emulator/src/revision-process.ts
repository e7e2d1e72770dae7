import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import net from "node:net";
import path from "node:path";
import { openPrivateLog } from "@echogate/common/state-file";
import type { ResolvedImage } from "./image-store-reader.js";
import { type InstanceAddress, LOOPBACK_ONLY_ADDRESSES } from "./instance-address.js";
import { logLineWriter } from "./revision-log.js";
import type { ContainerSpec } from "./state-types.js";

export interface LaunchSpec {
  service: string;
  revision: string;
  container: ContainerSpec;
  image: ResolvedImage;
  port: number;
  startupTimeoutMs: number;
  logFile?: string;
  /** Values of env entries that reference Secret Manager, resolved when the instance starts. */
  secretEnv?: Record<string, string>;
  /** Where the service lives and as whom it runs; the metadata server reports it. */
  project?: string;
  region?: string;
  serviceAccount?: string;
  /** Identity tokens the metadata server hands the instance. */
  idToken?: (audience: string, email: string) => string;
  /** `host:port` of this instance's metadata server (GCE_METADATA_HOST). */
  metadataHost?: string;
  /** Where the emulator reaches the instance; 127.0.0.1 (nothing enforced) when absent. */
  address?: InstanceAddress;
}

type StartResult =
  | { ok: true; process: RevisionProcess }
  /** portTaken: the process exited because another one had bound its port first. */
  | { ok: false; message: string; portTaken?: boolean };

const STDERR_TAIL_LINES = 20;
const CONNECT_POLL_MS = 100;

/**
 * argv the way Cloud Run builds it: the manifest `entrypoint` plays the image ENTRYPOINT;
 * `command` replaces it, `args` are appended (Docker: command overrides ENTRYPOINT, args the CMD).
 */
function buildArgv(entrypoint: readonly string[], container: ContainerSpec): string[] {
  const base = container.command?.length ? container.command : entrypoint;
  return [...base, ...(container.args ?? [])];
}

export function buildEnv(spec: LaunchSpec): Record<string, string> {
  const env: Record<string, string> = {};
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.SYSTEMROOT) env.SYSTEMROOT = process.env.SYSTEMROOT;
  Object.assign(env, spec.image.manifest.env);
  for (const e of spec.container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  Object.assign(env, spec.secretEnv);
  env.PORT = String(spec.port);
  env.K_SERVICE = spec.service;
  env.K_REVISION = spec.revision;
  env.K_CONFIGURATION = spec.service;
  if (spec.metadataHost) env.GCE_METADATA_HOST = spec.metadataHost;
  // No HOST: Cloud Run sets none, so a server must listen on 0.0.0.0 by itself.
  return env;
}

function resolveExecutable(argv0: string, rootfs: string): string {
  if (argv0 === "node") return process.execPath;
  return argv0.includes("/") && !path.isAbsolute(argv0) ? path.join(rootfs, argv0) : argv0;
}

/** Resolves a free loopback port by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The template's container port (Cloud Run defaults it to 8080). */
export function containerPortOf(container: ContainerSpec): number {
  return container.ports?.[0]?.containerPort ?? 8080;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function startFailure(port: number, detail: string, stderr: string[]): string {
  const tail = stderr.length > 0 ? `\nLast stderr lines:\n${stderr.join("\n")}` : "";
  return (
    `The user-provided container failed to start and listen on the port defined provided by the PORT=${port} ` +
    `environment variable within the allocated timeout. ${detail} This can happen when the container port is ` +
    `misconfigured or if the timeout is too short.${tail}`
  );
}

/**
 * The loopback address the process listens on when the instance address refuses it; undefined when
 * it listens on all interfaces or not yet. Checked again after a loopback hit, since a server that
 * just bound 0.0.0.0 answers on both.
 */
async function loopbackOnly(address: InstanceAddress, port: number): Promise<string | undefined> {
  for (const loopback of LOOPBACK_ONLY_ADDRESSES) {
    if (!(await canConnect(loopback, port))) continue;
    return (await canConnect(address.host, port)) ? undefined : loopback;
  }
  return undefined;
}

function loopbackFailure(port: number, loopback: string, stderr: string[]): string {
  const tail = stderr.length > 0 ? `\nLast stderr lines:\n${stderr.join("\n")}` : "";
  const shown = loopback.includes(":") ? `[${loopback}]` : loopback;
  return (
    `The user-provided container failed to start and listen on the port defined provided by the PORT=${port} ` +
    `environment variable. It listens on ${shown}:${port} (loopback) only, where Cloud Run never sends ` +
    `requests: listen on 0.0.0.0 (all interfaces) at $PORT, e.g. server.listen(Number(process.env.PORT), "0.0.0.0"); ` +
    `Cloud Run sets no HOST variable.${tail}`
  );
}

export class RevisionProcess {
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    /** Where the emulator reaches it: the instance address, not 127.0.0.1. */
    readonly host: string,
    readonly port: number,
    readonly cwd: string,
    log: WriteStream | undefined,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once("exit", () => {
        this.exited = true;
        log?.end();
        resolve();
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM, then SIGKILL after the grace period, as Cloud Run does on scale-down. */
  async stop(graceMs: number): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  whenExited(): Promise<void> {
    return this.exitPromise;
  }
}

export async function startRevisionProcess(spec: LaunchSpec): Promise<StartResult> {
  const { manifest, rootfs } = spec.image;
  const argv = buildArgv(manifest.entrypoint, spec.container);
  const [argv0, ...rest] = argv;
  if (!argv0) return { ok: false, message: startFailure(spec.port, "The container has no entrypoint.", []) };
  const log = spec.logFile ? createWriteStream("", { fd: openPrivateLog(spec.logFile) }) : undefined;
  const stderr: string[] = [];
  let spawnError: Error | undefined;
  const cwd = path.join(rootfs, manifest.workingDir);
  const child = spawn(resolveExecutable(argv0, rootfs), rest, {
    cwd,
    env: buildEnv(spec),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.once("error", (error) => {
    spawnError = error;
  });
  // The process may exit (and its log close) before the last partial line is flushed.
  const toLog = (line: string) => {
    if (log && !log.writableEnded) log.write(line);
  };
  const out = logLineWriter("stdout", toLog);
  const err = logLineWriter("stderr", toLog);
  child.stdout?.on("data", (chunk: Buffer) => out.chunk(chunk));
  child.stdout?.once("end", () => out.flush());
  child.stderr?.once("end", () => err.flush());
  child.stderr?.on("data", (chunk: Buffer) => {
    err.chunk(chunk);
    stderr.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    stderr.splice(0, Math.max(0, stderr.length - STDERR_TAIL_LINES));
  });
  const address = spec.address ?? { host: "127.0.0.1", enforced: false };
  const proc = new RevisionProcess(child, address.host, spec.port, cwd, log);
  // stderr is complete once stdio closes; bounded in case a grandchild keeps the pipe open.
  const stdioClosed = new Promise<void>((resolve) => {
    child.once("close", () => resolve());
    proc.whenExited().then(() => setTimeout(resolve, 500));
  });
  let exitCode: number | null = null;
  child.once("exit", (code, signal) => {
    exitCode = code ?? (signal ? 128 : null);
  });

  const deadline = Date.now() + spec.startupTimeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) {
      return {
        ok: false,
        message: startFailure(spec.port, `Failed to run '${argv0}': ${spawnError.message}.`, stderr),
      };
    }
    if (!proc.running) {
      await stdioClosed;
      return {
        ok: false,
        message: startFailure(spec.port, `The process exited with code ${exitCode}.`, stderr),
        portTaken: stderr.some((line) => line.includes("EADDRINUSE") && line.includes(`:${spec.port}`)),
      };
    }
    if (await canConnect(address.host, spec.port)) return { ok: true, process: proc };
    const loopback = address.enforced ? await loopbackOnly(address, spec.port) : undefined;
    if (loopback) {
      await proc.stop(1000);
      return { ok: false, message: loopbackFailure(spec.port, loopback, stderr) };
    }
    await new Promise((r) => setTimeout(r, CONNECT_POLL_MS));
  }
  const containerPort = containerPortOf(spec.container);
  const elsewhere =
    containerPort !== spec.port && (await canConnect(address.host, containerPort))
      ? ` Something listens on the template's containerPort ${containerPort} instead: if that is this server, ` +
        "make it listen on $PORT (the emulator gives every instance a port of its own; Cloud Run sets PORT to containerPort)."
      : "";
  await proc.stop(1000);
  return {
    ok: false,
    message: startFailure(
      spec.port,
      `The process did not listen on 0.0.0.0:${spec.port} within ${spec.startupTimeoutMs} ms.${elsewhere}`,
      stderr,
    ),
  };
}
