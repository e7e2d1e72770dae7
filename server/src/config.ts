import { TABLE_PREFIX_PATTERN } from "./store/postgres-schema.js";

export const FAULTS = ["exclude-sender"] as const;
export type Fault = (typeof FAULTS)[number];

export interface ServerConfig {
  port: number;
  host: string;
  /**
   * Browser origins allowed to connect. ALLOWED_ORIGINS unset means any (`*`, local
   * development); set but empty means none, so a list that came out empty fails closed.
   */
  allowedOrigins: string[];
  historyLimit: number;
  heartbeatIntervalMs: number;
  maxFrameBytes: number;
  shutdownTimeoutMs: number;
  fault: Fault | null;
  revision: string | null;
  logLevel: LogLevel;
  /** Shared backplane (rooms, presence, history across instances); null keeps everything in memory. */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel, so several deployments (or tests) can share one Redis. */
  redisKeyPrefix: string;
  /** An instance whose heartbeat key is older than this is dead; its peers leave their rooms. */
  presenceTtlMs: number;
  /** HMAC key for peer tokens; null: a random per-process key (tokens then don't cross instances). */
  sessionSecret: string | null;
  /** A connection whose unsent data exceeds this is a slow consumer and is closed with 4008. */
  maxBufferedBytes: number;
  /** Token bucket per connection: sustained messages per second and burst size. */
  rateLimitPerS: number;
  rateLimitBurst: number;
  maxRoomsPerConnection: number;
  /** PostgreSQL holding room and direct messages; null keeps direct messages in memory. */
  databaseUrl: string | null;
  /** Prefix of every table, so several deployments (or tests) can share one database. */
  databaseTablePrefix: string;
}

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, key: string, fallback: number, min: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`Can't use ${key}=${raw}: expected an integer >= ${min}.`);
  }
  return value;
}

function faultFrom(env: Env): Fault | null {
  const raw = env.ECHOGATE_FAULT?.trim();
  if (raw === undefined || raw === "") return null;
  if ((FAULTS as readonly string[]).includes(raw)) return raw as Fault;
  throw new ConfigError(`Can't use ECHOGATE_FAULT=${raw}: the only fault is ${FAULTS.join(", ")}.`);
}

function logLevelFrom(env: Env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (raw === undefined || raw === "") return "info";
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new ConfigError(`Can't use LOG_LEVEL=${env.LOG_LEVEL}: expected one of ${LOG_LEVELS.join(", ")}.`);
}

function redisUrlFrom(env: Env): string | null {
  const raw = env.REDIS_URL?.trim();
  if (raw === undefined || raw === "") return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("Can't use REDIS_URL: it is not a URL (expected redis://host:port or rediss://…).");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(
      `Can't use REDIS_URL with scheme ${url.protocol.replace(/:$/, "")}: expected redis:// or rediss://.`,
    );
  }
  return raw;
}

function databaseUrlFrom(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (raw === undefined || raw === "") return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      "Can't use DATABASE_URL: it is not a URL (expected postgres://user@host:5432/database).",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(
      `Can't use DATABASE_URL with scheme ${url.protocol.replace(/:$/, "")}: expected postgres:// or postgresql://.`,
    );
  }
  return raw;
}

function tablePrefixFrom(env: Env): string {
  const raw = env.DATABASE_TABLE_PREFIX?.trim();
  if (raw === undefined || raw === "") return "echogate_";
  if (!TABLE_PREFIX_PATTERN.test(raw)) {
    throw new ConfigError(
      `Can't use DATABASE_TABLE_PREFIX=${raw}: expected lower-case letters, digits and underscores (at most 40, not starting with a digit).`,
    );
  }
  return raw;
}

export function parseAllowedOrigins(raw: string | undefined): string[] {
  if (raw === undefined) return ["*"];
  return raw
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
}

/** Pure: environment variables in, validated settings out. */
export function loadConfig(env: Env): ServerConfig {
  return {
    port: intFrom(env, "PORT", 8080, 0),
    host: env.HOST?.trim() || "0.0.0.0",
    allowedOrigins: parseAllowedOrigins(env.ALLOWED_ORIGINS),
    historyLimit: intFrom(env, "ROOM_HISTORY_LIMIT", 50, 0),
    heartbeatIntervalMs: intFrom(env, "HEARTBEAT_INTERVAL_MS", 25_000, 50),
    maxFrameBytes: intFrom(env, "MAX_FRAME_BYTES", 64 * 1024, 1024),
    // Cloud Run sends SIGKILL 10 s after SIGTERM; leave room to exit cleanly.
    shutdownTimeoutMs: intFrom(env, "SHUTDOWN_TIMEOUT_MS", 8_000, 0),
    fault: faultFrom(env),
    revision: env.K_REVISION?.trim() || null,
    logLevel: logLevelFrom(env),
    redisUrl: redisUrlFrom(env),
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || "echogate:",
    presenceTtlMs: intFrom(env, "PRESENCE_TTL_MS", 15_000, 200),
    sessionSecret: env.SESSION_SECRET || null,
    maxBufferedBytes: intFrom(env, "MAX_BUFFERED_BYTES", 1024 * 1024, 1024),
    rateLimitPerS: intFrom(env, "RATE_LIMIT_PER_S", 50, 1),
    rateLimitBurst: intFrom(env, "RATE_LIMIT_BURST", 100, 1),
    maxRoomsPerConnection: intFrom(env, "MAX_ROOMS_PER_CONNECTION", 20, 1),
    databaseUrl: databaseUrlFrom(env),
    databaseTablePrefix: tablePrefixFrom(env),
  };
}
