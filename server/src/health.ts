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
}

export interface HealthBody {
  status: "ok" | "draining";
  version: string;
  revision: string | null;
  uptimeS: number;
  connections: number;
  rooms: number;
  /** Cloud Run's instance id from the metadata server, else a random per-process id. */
  instance: string;
  backplane: "memory" | "redis";
  fault?: Fault;
}

export function healthReport(input: HealthInput): { statusCode: 200 | 503; body: HealthBody } {
  const body: HealthBody = {
    status: input.draining ? "draining" : "ok",
    version: input.build.version,
    revision: input.build.revision,
    uptimeS: Math.floor((input.nowMs - input.startedAtMs) / 1000),
    connections: input.connections,
    rooms: input.rooms,
    instance: input.instance,
    backplane: input.backplane,
  };
  if (input.fault) body.fault = input.fault;
  return { statusCode: input.draining ? 503 : 200, body };
}
