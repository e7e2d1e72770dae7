import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openBackplane } from "./backplane/open-backplane.js";
import { describeRedisUrl } from "./backplane/redis-url.js";
import { readPackageVersion, resolveBuildInfo } from "./build-info.js";
import { loadConfig } from "./config.js";
import { type DatabaseState, healthReport } from "./health.js";
import { createHttpHandler } from "./http-server.js";
import { resolveInstanceId } from "./instance-id.js";
import { createJsonLogger, type Logger, withLevel } from "./logger.js";
import { createRealtime } from "./realtime.js";
import { createRestApi } from "./rest-api.js";
import { describeDatabaseUrl } from "./store/database-url.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";

/** /health waits this long for the database before reporting it down. */
const DATABASE_PING_MS = 2_000;

export interface StartOptions {
  /** Overrides env PORT; 0 picks a free port. */
  port?: number;
  /** Overrides env HOST. */
  host?: string;
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

export interface RunningServer {
  port: number;
  /** http://host:port; the WebSocket endpoint is the same address with ws:// and path /. */
  url: string;
  /** This process's instance id (as in /health). */
  instance: string;
  /** The server's logger, LOG_LEVEL applied. */
  log: Logger;
  /** Drains (health 503, WebSockets closed with 1001) and stops listening. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const config = loadConfig(env);
  const log = withLevel(options.logger ?? createJsonLogger(), config.logLevel);
  const port = options.port ?? config.port;
  const host = options.host ?? config.host;
  const build = resolveBuildInfo(env, readPackageVersion());
  const startedAtMs = Date.now();
  let draining = false;

  const identity = await resolveInstanceId(env);
  const backplane = await openBackplane(config, identity.id, log);
  let store: Store;
  try {
    store = await openStore(config, log);
  } catch (failure) {
    await backplane.close();
    throw failure;
  }
  if (store.kind === "memory" && backplane.kind !== "memory") {
    log.log("WARNING", "DATABASE_URL is not set: direct messages are kept in this instance's memory", {
      consequence: "a user who comes back on another instance misses the messages stored while it was away",
    });
  }
  let sessionSecret = config.sessionSecret;
  if (sessionSecret === null) {
    sessionSecret = randomBytes(32).toString("base64url");
    // One process verifies its own tokens; instances sharing a backplane need one shared key.
    if (backplane.kind !== "memory")
      log.log("WARNING", "SESSION_SECRET is not set: peer tokens are signed with a per-process key", {
        consequence: "a peer token issued by one instance is refused by another",
      });
  }
  const realtime = createRealtime({
    config,
    log,
    isDraining: () => draining,
    backplane,
    store,
    instance: identity.id,
    sessionSecret,
  });
  const api = createRestApi({
    rooms: realtime.rooms,
    direct: realtime.direct,
    store,
    log,
    maxBodyBytes: config.maxFrameBytes,
    historyLimit: config.historyLimit,
  });
  let ping: Promise<DatabaseState> | undefined;
  // Concurrent /health calls share one ping.
  const databaseState = (): Promise<DatabaseState> => {
    if (store.kind === "memory") return Promise.resolve("none");
    ping ??= withTimeout(store.ping(), DATABASE_PING_MS, false)
      .then((up): DatabaseState => (up ? "up" : "down"))
      .finally(() => {
        ping = undefined;
      });
    return ping;
  };
  const handler = createHttpHandler({
    allowedOrigins: config.allowedOrigins,
    api,
    health: async () =>
      healthReport({
        build,
        startedAtMs,
        nowMs: Date.now(),
        connections: realtime.connectionCount(),
        rooms: realtime.roomCount(),
        draining,
        fault: config.fault,
        instance: identity.id,
        backplane: backplane.kind,
        store: store.kind,
        database: await databaseState(),
      }),
  });
  const server = createServer(handler);
  server.on("upgrade", (req, socket, head) => realtime.handleUpgrade(req, socket, head));
  server.on("clientError", (_error, socket) => socket.destroy());

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (failure) {
    await backplane.close();
    await store.close();
    throw failure;
  }
  const actualPort = (server.address() as AddressInfo).port;
  if (config.fault) {
    log.log(
      "WARNING",
      `FAULT INJECTION ACTIVE: ECHOGATE_FAULT=${config.fault}; chat broadcasts skip the sender`,
      {
        fault: config.fault,
      },
    );
  }
  if (config.allowedOrigins.length === 0) {
    log.log("WARNING", "ALLOWED_ORIGINS is empty: every browser origin is refused", {});
  }
  log.log("INFO", "listening", {
    port: actualPort,
    host,
    version: build.version,
    revision: build.revision,
    allowedOrigins: config.allowedOrigins,
    instance: identity.id,
    instanceSource: identity.source,
    backplane: config.redisUrl === null ? "memory" : describeRedisUrl(config.redisUrl),
    store: config.databaseUrl === null ? "memory" : describeDatabaseUrl(config.databaseUrl),
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      log.log("INFO", "draining", { connections: realtime.connectionCount() });
      await realtime.drain(config.shutdownTimeoutMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await backplane.close();
      await store.close();
      log.log("INFO", "stopped");
    })();
    return closing;
  };

  const displayHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return { port: actualPort, url: `http://${displayHost}:${actualPort}`, instance: identity.id, log, close };
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
