import { randomBytes } from "node:crypto";
import type { ClientRequest } from "node:http";
import http from "node:http";
import type net from "node:net";
import { createProxyServer } from "http-proxy-3";
import { instanceAddress } from "./instance-address.js";
import { affinityCookie, affinityFromCookie, chooseInstance, type Scaling } from "./instance-scaling.js";
import { refuseForeignHost, refuseForeignUpgrade } from "./loopback-host.js";
import { type MetadataServer, startMetadataServer } from "./metadata-server.js";
import type { ProcessRegistry } from "./process-registry.js";
import type { RandomSource } from "./revision-naming.js";
import {
  containerPortOf,
  freePort,
  type LaunchSpec,
  type RevisionProcess,
  startRevisionProcess,
} from "./revision-process.js";
import { pickRevision } from "./traffic.js";

/** Decides whether a request may reach the revision (Cloud Run's invoker check). */
export type InvokerGuard = (req: http.IncomingMessage) => "ok" | "unauthenticated" | "forbidden";

export type StartOutcome = { ok: true } | { ok: false; message: string };
type Launcher = (port: number) => Promise<LaunchSpec | StartOutcome>;

interface Listener {
  server: http.Server;
  port: number;
  weights: Map<string, number>;
  sockets: Set<net.Socket>;
  /** Ingress refuses callers from outside (here: every caller, loopback is "the internet"). */
  privateIngress?: boolean;
  guard?: InvokerGuard;
}

/** One running container of a revision, with its own metadata server (its identity). */
interface Instance {
  id: string;
  process: RevisionProcess;
  metadata: MetadataServer;
  /** Open requests and WebSockets now. */
  active: number;
  /** Client sockets of WebSockets proxied to it: cut when it exits. */
  upgrades: Set<net.Socket>;
  /** Set while it has no open request: when it fires, the instance is stopped (scale-in). */
  idleTimer: NodeJS.Timeout | undefined;
}

/** The instances of one revision and how to start another. */
interface RevisionPool {
  launch: Launcher;
  scaling: Scaling;
  instances: Instance[];
  scalingOut: Promise<Instance | StartOutcome> | undefined;
  /** Requests pending for a free slot (every instance at concurrency, maxInstances reached). */
  waiters: Set<() => void>;
}

export interface InstanceInfo {
  id: string;
  pid: number | undefined;
  active: number;
}

interface DataPlaneOptions {
  random: RandomSource;
  /** Cloud Run waits 10 s between SIGTERM and SIGKILL. */
  terminationGraceMs: number;
  /** How long an unreferenced revision keeps running before it is stopped. */
  idleStopMs: number;
  /** How long an instance with no open request runs before it stops (down to minInstances, 0 included). */
  instanceIdleMs: number;
  /** How long a request waits for a free slot once maxInstances × concurrency are busy, before 429. */
  pendingTimeoutMs: number;
  /** Records running processes on disk so a later start can end them if this emulator is killed. */
  registry?: ProcessRegistry;
}

/** A Cloud Run instance id: opaque hex. */
function newInstanceId(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Local processes (instances of each serving revision, keyed by revision resource name) and
 * loopback listeners (one per service URL and per tag URL) that proxy HTTP and WebSocket upgrades
 * to them on the instance address: a revision starts one instance to become ready, keeps
 * `minInstances` (0: it scales to zero when idle, the next request starts one), starts another
 * when every one holds `concurrency` open requests, up to `maxInstances`; past that a request waits
 * for a free slot, then gets 429 as on Cloud Run.
 */
export class DataPlane {
  private readonly pools = new Map<string, RevisionPool>();
  private readonly starting = new Map<string, Promise<StartOutcome>>();
  private readonly stopTimers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Map<string, Listener>();
  /** Instances stopping after scale-in: `close` waits for them too. */
  private readonly scalingIn = new Set<Promise<void>>();
  private readonly proxy = createProxyServer({ xfwd: true });
  /** The instance each proxied request went to, for the affinity cookie on its response. */
  private readonly routed = new WeakMap<http.IncomingMessage, { instance: Instance; affinity: boolean }>();
  /** The request to the instance for each proxied request, ended when the request times out. */
  private readonly upstream = new WeakMap<http.IncomingMessage, ClientRequest>();
  private closed = false;

  constructor(private readonly options: DataPlaneOptions) {
    this.proxy.on("proxyReq", (proxyReq, req) => this.upstream.set(req, proxyReq));
    this.proxy.on("error", (_error, _req, res) => {
      if (res instanceof http.ServerResponse) {
        if (res.writableEnded) return;
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end("Bad Gateway: the revision did not answer.\n");
      } else {
        (res as net.Socket).destroy();
      }
    });
    this.proxy.on("proxyRes", (proxyRes, req) => {
      const routed = this.routed.get(req);
      if (!routed?.affinity) return;
      const existing = proxyRes.headers["set-cookie"] ?? [];
      proxyRes.headers["set-cookie"] = [...existing, affinityCookie(routed.instance.id)];
    });
  }

  /** Started and not stopped; it may have no instance now (scaled to zero). */
  isRunning(revision: string): boolean {
    return this.pools.has(revision) && !this.starting.has(revision);
  }

  isStarting(revision: string): boolean {
    return this.starting.has(revision);
  }

  runningRevisions(): string[] {
    return [...this.pools.keys()].filter((name) => this.isRunning(name));
  }

  /** The running instances of each revision (status, tests). */
  instances(): Record<string, InstanceInfo[]> {
    const out: Record<string, InstanceInfo[]> = {};
    for (const name of this.runningRevisions()) {
      out[name] = this.running(name).map((i) => ({ id: i.id, pid: i.process.pid, active: i.active }));
    }
    return out;
  }

  private running(revision: string): Instance[] {
    return this.pools.get(revision)?.instances.filter((i) => i.process.running) ?? [];
  }

  private track(proc: RevisionProcess): void {
    const { registry } = this.options;
    const pid = proc.pid;
    if (!registry || pid === undefined) return;
    registry.add({ pid, cwd: proc.cwd });
    void proc.whenExited().then(() => registry.remove(pid));
  }

  pids(): number[] {
    return [...this.pools.values()].flatMap((pool) =>
      pool.instances.flatMap((i) => (i.process.running && i.process.pid ? [i.process.pid] : [])),
    );
  }

  /**
   * Starts a revision's minimum instances unless they run or are starting; resolves when they
   * listen or one failed (the revision then fails as a whole, as on Cloud Run).
   */
  ensureRevision(revision: string, launch: Launcher, scaling: Scaling): Promise<StartOutcome> {
    this.cancelStop(revision);
    if (this.isRunning(revision)) return Promise.resolve({ ok: true });
    const pending = this.starting.get(revision);
    if (pending) return pending;
    const pool: RevisionPool = this.pools.get(revision) ?? {
      launch,
      scaling,
      instances: [],
      scalingOut: undefined,
      waiters: new Set(),
    };
    Object.assign(pool, { launch, scaling, instances: this.running(revision) });
    this.pools.set(revision, pool);
    const start = (async (): Promise<StartOutcome> => {
      // One instance proves the revision starts, as Cloud Run's deployment does, even with min 0.
      const started = await Promise.all(
        Array.from({ length: Math.max(scaling.minInstances, 1) }, () => this.startInstance(revision, pool)),
      );
      const failed = started.find((s): s is StartOutcome => "ok" in s);
      if (failed) {
        await this.stopRevision(revision);
        return failed;
      }
      return { ok: true };
    })().finally(() => this.starting.delete(revision));
    this.starting.set(revision, start);
    return start;
  }

  private async startInstance(revision: string, pool: RevisionPool): Promise<Instance | StartOutcome> {
    const id = newInstanceId();
    // Bound before the revision's port is picked, so it can never take the port meant for the process.
    const metadata = await startMetadataServer(id);
    const result = await this.startOnFreePort(pool, metadata);
    if (!("process" in result)) {
      await metadata.close();
      return result;
    }
    const instance: Instance = {
      id,
      process: result.process,
      metadata,
      active: 0,
      upgrades: new Set(),
      idleTimer: undefined,
    };
    void result.process.whenExited().then(async () => {
      if (instance.idleTimer) clearTimeout(instance.idleTimer);
      for (const socket of instance.upgrades) socket.destroy();
      await metadata.close();
    });
    if (this.closed || this.pools.get(revision) !== pool) {
      await result.process.stop(this.options.terminationGraceMs);
      return { ok: false, message: "The emulator is shutting down." };
    }
    pool.instances.push(instance);
    this.track(result.process);
    this.scheduleScaleIn(pool, instance);
    this.notifyCapacity(pool);
    return instance;
  }

  /**
   * Picks a free port and starts the revision's process on it. A port is free when picked but can
   * be taken by another process before the revision binds it: a revision that exits saying so is
   * started again on another port, a few times, rather than failing a correct build.
   */
  private async startOnFreePort(
    pool: RevisionPool,
    metadata: MetadataServer,
  ): Promise<StartOutcome | { ok: true; process: RevisionProcess }> {
    for (let attempt = 1; ; attempt += 1) {
      let spec = await pool.launch(await freePort());
      // Never containerPort itself: a server that ignores $PORT and hard-codes it must fail here.
      while (!("ok" in spec) && spec.port === containerPortOf(spec.container)) {
        spec = await pool.launch(await freePort());
      }
      if ("ok" in spec) return spec;
      metadata.locate({
        project: spec.project ?? "",
        region: spec.region ?? "",
        serviceAccount: spec.serviceAccount,
        idToken: spec.idToken,
      });
      const result = await startRevisionProcess({
        ...spec,
        metadataHost: metadata.host,
        address: await instanceAddress(),
      });
      if (result.ok || !result.portTaken || attempt >= PORT_ATTEMPTS) return result;
    }
  }

  /** A request (or WebSocket) starts on the instance: it is busy, not idle. */
  private acquire(instance: Instance): void {
    instance.active += 1;
    if (instance.idleTimer) clearTimeout(instance.idleTimer);
    instance.idleTimer = undefined;
  }

  /** A request (or WebSocket) on the instance ended: its slot goes to a pending request, if any. */
  private release(pool: RevisionPool, instance: Instance): void {
    instance.active -= 1;
    this.scheduleScaleIn(pool, instance);
    this.notifyCapacity(pool);
  }

  private notifyCapacity(pool: RevisionPool): void {
    for (const wake of pool.waiters) wake();
  }

  /**
   * Stops an instance that stays without open requests for `instanceIdleMs` while the revision has
   * more than `minInstances`: Cloud Run scales in, down to zero by default.
   */
  private scheduleScaleIn(pool: RevisionPool, instance: Instance): void {
    if (instance.active > 0 || instance.idleTimer) return;
    instance.idleTimer = setTimeout(() => {
      instance.idleTimer = undefined;
      const running = pool.instances.filter((i) => i.process.running);
      if (instance.active > 0 || running.length <= pool.scaling.minInstances) return;
      // Out of the pool first, so no new request is routed to an instance that is stopping.
      pool.instances = pool.instances.filter((i) => i !== instance);
      const stopped = instance.process.stop(this.options.terminationGraceMs);
      this.scalingIn.add(stopped);
      void stopped.finally(() => this.scalingIn.delete(stopped));
    }, this.options.instanceIdleMs);
    instance.idleTimer.unref();
  }

  /**
   * The instance a new request to `revision` goes to: one with a free slot, else a new one (a cold
   * start from zero too), else the first slot freed within `pendingTimeoutMs`; "full" after that.
   */
  private async instanceFor(
    revision: string,
    affinityId: string | undefined,
  ): Promise<Instance | "full" | undefined> {
    const pool = this.pools.get(revision);
    if (!pool) return undefined;
    const deadline = Date.now() + this.options.pendingTimeoutMs;
    for (;;) {
      if (this.pools.get(revision) !== pool) return undefined;
      const loads = this.running(revision);
      const choice = chooseInstance(loads, pool.scaling, affinityId, this.options.random);
      if (choice.kind === "use") return loads.find((i) => i.id === choice.id);
      if (choice.kind === "scale-out") {
        pool.scalingOut ??= this.startInstance(revision, pool).finally(() => {
          pool.scalingOut = undefined;
        });
        const started = await pool.scalingOut;
        // A failed cold start leaves nothing to wait for; a failed scale-out waits for a slot.
        if ("ok" in started && loads.length === 0) return undefined;
        if (!("ok" in started)) continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) return "full";
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          pool.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        pool.waiters.add(wake);
      });
    }
  }

  /** Stops a revision after the idle grace period unless it is needed again before. */
  scheduleStop(revision: string): void {
    if (!this.pools.has(revision) || this.stopTimers.has(revision)) return;
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

  /** SIGTERM to every instance, SIGKILL after the grace period; open WebSockets end with them. */
  async stopRevision(revision: string): Promise<void> {
    this.cancelStop(revision);
    const pool = this.pools.get(revision);
    this.pools.delete(revision);
    if (pool) this.notifyCapacity(pool);
    await Promise.all(
      (pool?.instances ?? []).map(async (instance) => {
        await instance.process.stop(this.options.terminationGraceMs);
        await instance.metadata.close();
      }),
    );
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
    listener.server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (refuseForeignHost(listener.server, req, res)) return;
      if (listener.privateIngress) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("Not Found: the service's ingress setting refuses requests from outside its network.\n");
        return;
      }
      const denied = refusal(listener.guard?.(req));
      if (denied) {
        res.writeHead(denied.status, { "content-type": "text/html; charset=UTF-8" });
        res.end(denied.body);
        return;
      }
      void this.route(listener, req).then((routed) => {
        if (routed === "full") {
          res.writeHead(429, { "content-type": "text/plain" });
          res.end(NO_AVAILABLE_INSTANCE);
          return;
        }
        if (!routed) {
          res.writeHead(503, { "content-type": "text/plain" });
          res.end("Service Unavailable: no ready revision serves this URL.\n");
          return;
        }
        const { instance, pool, timeoutMs } = routed;
        // Cloud Run answers 504 when the response has not started by the request timeout, and cuts
        // a response still streaming then.
        const timer = setTimeout(() => {
          if (res.headersSent) return void res.destroy();
          res.writeHead(504, { "content-type": "text/plain", connection: "close" });
          res.end("upstream request timeout");
          this.upstream.get(req)?.destroy();
        }, timeoutMs);
        res.once("close", () => {
          clearTimeout(timer);
          this.release(pool, instance);
        });
        this.proxy.web(req, res, { target: instanceUrl(instance) });
      });
    });
    listener.server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      if (refuseForeignUpgrade(listener.server, req, socket)) return;
      if (listener.privateIngress) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
        return;
      }
      const denied = refusal(listener.guard?.(req));
      if (denied) {
        socket.end(
          `HTTP/1.1 ${denied.status} ${denied.status === 401 ? "Unauthorized" : "Forbidden"}\r\nConnection: close\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(denied.body)}\r\n\r\n${denied.body}`,
        );
        return;
      }
      void this.route(listener, req).then((routed) => {
        if (routed === "full") {
          socket.end(
            `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(NO_AVAILABLE_INSTANCE)}\r\n\r\n${NO_AVAILABLE_INSTANCE}`,
          );
          return;
        }
        if (!routed) {
          socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
          return;
        }
        const { instance, pool, timeoutMs } = routed;
        instance.upgrades.add(socket);
        // Cloud Run ends a WebSocket like any request when the service's request timeout elapses.
        const timer = setTimeout(() => socket.destroy(), timeoutMs);
        socket.once("close", () => {
          clearTimeout(timer);
          instance.upgrades.delete(socket);
          this.release(pool, instance);
        });
        this.proxy.ws(req, socket, head, { target: instanceUrl(instance) });
      });
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

  /** undefined: anyone may call (public invoker). */
  setGuard(id: string, guard: InvokerGuard | undefined): void {
    const listener = this.listeners.get(id);
    if (listener) listener.guard = guard;
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

  /**
   * Picks the revision by traffic percent (or the one whose instance the affinity cookie names),
   * then the instance; counts the request on it until the caller's close handler releases it.
   */
  private async route(
    listener: Listener,
    req: http.IncomingMessage,
  ): Promise<{ instance: Instance; pool: RevisionPool; timeoutMs: number } | "full" | undefined> {
    const running = new Map([...listener.weights].filter(([revision]) => this.isRunning(revision)));
    const affinityId = affinityFromCookie(req.headers.cookie);
    const sticky = affinityId
      ? [...running.keys()].find(
          (revision) =>
            this.pools.get(revision)?.scaling.sessionAffinity &&
            this.running(revision).some((i) => i.id === affinityId),
        )
      : undefined;
    const revision = sticky ?? pickRevision(running, this.options.random);
    const pool = revision ? this.pools.get(revision) : undefined;
    if (!revision || !pool) return undefined;
    const instance = await this.instanceFor(revision, affinityId);
    if (instance === "full" || !instance) return instance;
    this.acquire(instance);
    this.routed.set(req, { instance, affinity: pool.scaling.sessionAffinity });
    return { instance, pool, timeoutMs: pool.scaling.timeoutMs };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all(this.listenerIds().map((id) => this.closeListener(id)));
    await Promise.all([...this.pools.keys()].map((revision) => this.stopRevision(revision)));
    await Promise.all(this.scalingIn);
    this.proxy.close();
  }
}

/** What Cloud Run logs with its 429 when every instance is busy and maxInstances is reached. */
/** Starts of one instance on a fresh port when another process took the one picked for it. */
const PORT_ATTEMPTS = 3;

const NO_AVAILABLE_INSTANCE = "The request was aborted because there was no available instance.\n";

/** Instances are reached on the instance address, never on 127.0.0.1 (the container contract). */
function instanceUrl(instance: Instance): string {
  return `http://${instance.process.host}:${instance.process.port}`;
}

/** Cloud Run's answers: 403 without credentials or without permission, 401 for a bad token. */
function refusal(
  verdict: ReturnType<InvokerGuard> | undefined,
): { status: number; body: string } | undefined {
  if (verdict === undefined || verdict === "ok") return undefined;
  const status = verdict === "unauthenticated" ? 401 : 403;
  const body =
    status === 401
      ? "<html><head><title>401 Unauthorized</title></head><body><h1>Error: Unauthorized</h1><h2>Your client does not have permission to the requested URL.</h2></body></html>\n"
      : "<html><head><title>403 Forbidden</title></head><body><h1>Error: Forbidden</h1><h2>Your client does not have permission to get URL from this server.</h2></body></html>\n";
  return { status, body };
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
