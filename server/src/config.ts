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
}

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
  };
}
