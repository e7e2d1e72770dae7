import http from "node:http";
import type net from "node:net";
import { createProxyServer } from "http-proxy-3";
import type { ProcessRegistry } from "./process-registry.js";
import type { RandomSource } from "./revision-naming.js";
import { freePort, type LaunchSpec, type RevisionProcess, startRevisionProcess } from "./revision-process.js";
import { pickRevision } from "./traffic.js";

export type StartOutcome = { ok: true } | { ok: false; message: string };

interface Listener {
  server: http.Server;
  port: number;
  weights: Map<string, number>;
  sockets: Set<net.Socket>;
  /** Ingress refuses callers from outside (here: every caller, loopback is "the internet"). */
  privateIngress?: boolean;
}

export interface DataPlaneOptions {
  random: RandomSource;
  /** Cloud Run waits 10 s between SIGTERM and SIGKILL. */
  terminationGraceMs: number;
  /** How long an unreferenced revision keeps running before it is stopped. */
  idleStopMs: number;
  /** Records running processes on disk so a later start can end them if this emulator is killed. */
  registry?: ProcessRegistry;
}

/**
 * Local processes (one per serving revision, keyed by revision resource name) and loopback
 * listeners (one per service URL and per tag URL) that proxy HTTP and WebSocket upgrades to them.
 */
export class DataPlane {
  private readonly processes = new Map<string, RevisionProcess>();
  private readonly starting = new Map<string, Promise<StartOutcome>>();
  private readonly stopTimers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Map<string, Listener>();
  private readonly proxy = createProxyServer({ xfwd: true });
  private closed = false;

  constructor(private readonly options: DataPlaneOptions) {
    this.proxy.on("error", (_error, _req, res) => {
      if (res instanceof http.ServerResponse) {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end("Bad Gateway: the revision did not answer.\n");
      } else {
        (res as net.Socket).destroy();
      }
    });
  }

  isRunning(revision: string): boolean {
    return this.processes.get(revision)?.running ?? false;
  }

  isStarting(revision: string): boolean {
    return this.starting.has(revision);
  }

  runningRevisions(): string[] {
    return [...this.processes.entries()].filter(([, p]) => p.running).map(([name]) => name);
  }

  private track(proc: RevisionProcess): void {
    const { registry } = this.options;
    const pid = proc.pid;
    if (!registry || pid === undefined) return;
    registry.add({ pid, cwd: proc.cwd });
    void proc.whenExited().then(() => registry.remove(pid));
  }

  pids(): number[] {
    return [...this.processes.values()].flatMap((p) => (p.running && p.pid ? [p.pid] : []));
  }

  /** Starts a revision process unless it runs or is starting; resolves when it listens or failed. */
  ensureRevision(
    revision: string,
    launch: (port: number) => Promise<LaunchSpec | StartOutcome>,
  ): Promise<StartOutcome> {
    this.cancelStop(revision);
    if (this.isRunning(revision)) return Promise.resolve({ ok: true });
    const pending = this.starting.get(revision);
    if (pending) return pending;
    const start = (async (): Promise<StartOutcome> => {
      const spec = await launch(await freePort());
      if ("ok" in spec) return spec;
      const result = await startRevisionProcess(spec);
      if (!result.ok) return result;
      if (this.closed) {
        await result.process.stop(this.options.terminationGraceMs);
        return { ok: false, message: "The emulator is shutting down." };
      }
      this.processes.set(revision, result.process);
      this.track(result.process);
      return { ok: true };
    })().finally(() => this.starting.delete(revision));
    this.starting.set(revision, start);
    return start;
  }

  /** Stops a revision after the idle grace period unless it is needed again before. */
  scheduleStop(revision: string): void {
    if (!this.processes.has(revision) || this.stopTimers.has(revision)) return;
    const timer = setTimeout(() => {
      this.stopTimers.delete(revision);
      void this.stopRevision(revision);
    }, this.options.idleStopMs);
    timer.unref();
    this.stopTimers.set(revision, timer);
  }

  cancelStop(revision: string): void {
    const timer = this.stopTimers.get(revision);
    if (timer) clearTimeout(timer);
    this.stopTimers.delete(revision);
  }

  async stopRevision(revision: string): Promise<void> {
    this.cancelStop(revision);
    const proc = this.processes.get(revision);
    this.processes.delete(revision);
    await proc?.stop(this.options.terminationGraceMs);
  }

  /** Opens (or keeps) a listener; tries `preferredPort` first so URLs survive restarts. */
  async ensureListener(id: string, preferredPort: number | undefined): Promise<number> {
    const existing = this.listeners.get(id);
    if (existing) return existing.port;
    const listener: Listener = {
      server: http.createServer(),
      port: 0,
      weights: new Map(),
      sockets: new Set(),
    };
    listener.server.on("connection", (socket) => {
      listener.sockets.add(socket);
      socket.once("close", () => listener.sockets.delete(socket));
    });
    listener.server.on("request", (req, res) => {
      if (listener.privateIngress) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("Not Found: the service's ingress setting refuses requests from outside its network.\n");
        return;
      }
      const target = this.target(listener);
      if (!target) {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("Service Unavailable: no ready revision serves this URL.\n");
        return;
      }
      this.proxy.web(req, res, { target });
    });
    listener.server.on("upgrade", (req, socket: net.Socket, head) => {
      if (listener.privateIngress) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
        return;
      }
      const target = this.target(listener);
      if (!target) {
        socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
        return;
      }
      this.proxy.ws(req, socket, head, { target });
    });
    listener.port = await listen(listener.server, preferredPort);
    this.listeners.set(id, listener);
    return listener.port;
  }

  setRoute(id: string, weights: Map<string, number>): void {
    const listener = this.listeners.get(id);
    if (listener) listener.weights = weights;
  }

  setIngress(id: string, isPrivate: boolean): void {
    const listener = this.listeners.get(id);
    if (listener) listener.privateIngress = isPrivate;
  }

  listenerIds(): string[] {
    return [...this.listeners.keys()];
  }

  async closeListener(id: string): Promise<void> {
    const listener = this.listeners.get(id);
    if (!listener) return;
    this.listeners.delete(id);
    for (const socket of listener.sockets) socket.destroy();
    await new Promise<void>((resolve) => listener.server.close(() => resolve()));
  }

  private target(listener: Listener): string | undefined {
    const running = new Map([...listener.weights].filter(([revision]) => this.isRunning(revision)));
    const revision = pickRevision(running, this.options.random);
    const port = revision ? this.processes.get(revision)?.port : undefined;
    return port ? `http://127.0.0.1:${port}` : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all(this.listenerIds().map((id) => this.closeListener(id)));
    await Promise.all([...this.processes.keys()].map((revision) => this.stopRevision(revision)));
    this.proxy.close();
  }
}

function listen(server: http.Server, preferredPort: number | undefined): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once("error", onError);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", onError);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  return preferredPort ? attempt(preferredPort).catch(() => attempt(0)) : attempt(0);
}
