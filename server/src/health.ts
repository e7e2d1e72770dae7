import type { BuildInfo } from "./build-info.js";
import type { Fault } from "./config.js";

export interface HealthInput {
  build: BuildInfo;
  startedAtMs: number;
  nowMs: number;
  connections: number;
  rooms: number;
  draining: boolean;
  fault: Fault | null;
  instance: string;
  backplane: "memory" | "redis";
  store: "memory" | "postgres";
  /** `none` without DATABASE_URL; `down` when the database did not answer just now. */
  database: DatabaseState;
}

export type DatabaseState = "up" | "down" | "none";

export interface HealthBody {
  status: "ok" | "draining" | "unavailable";
  version: string;
  revision: string | null;
  uptimeS: number;
  connections: number;
  rooms: number;
  /** Cloud Run's instance id from the metadata server, else a random per-process id. */
  instance: string;
  backplane: "memory" | "redis";
  store: "memory" | "postgres";
  database: DatabaseState;
  fault?: Fault;
}

/**
 * Pure. 503 while draining, and while the configured database doesn't answer: an instance that
 * can't keep messages must not pass a gate or take traffic.
 */
export function healthReport(input: HealthInput): { statusCode: 200 | 503; body: HealthBody } {
  const status = input.draining ? "draining" : input.database === "down" ? "unavailable" : "ok";
  const body: HealthBody = {
    status,
    version: input.build.version,
    revision: input.build.revision,
    uptimeS: Math.floor((input.nowMs - input.startedAtMs) / 1000),
    connections: input.connections,
    rooms: input.rooms,
    instance: input.instance,
    backplane: input.backplane,
    store: input.store,
    database: input.database,
  };
  if (input.fault) body.fault = input.fault;
  return { statusCode: status === "ok" ? 200 : 503, body };
}
