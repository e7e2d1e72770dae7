import type { LogLevel } from "./config.js";

export type Severity = "DEBUG" | "INFO" | "WARNING" | "ERROR";

export interface Logger {
  log(severity: Severity, message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<Severity, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
const LEVEL_FLOOR: Record<LogLevel, Severity> = {
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
};

/** Pure: does LOG_LEVEL `level` let a line of `severity` through? */
export function isLogged(severity: Severity, level: LogLevel): boolean {
  return RANK[severity] >= RANK[LEVEL_FLOOR[level]];
}

/** Drops lines below `level` before they reach `inner`. */
export function withLevel(inner: Logger, level: LogLevel): Logger {
  return {
    log(severity, message, fields) {
      if (isLogged(severity, level)) inner.log(severity, message, fields);
    },
  };
}

/** JSON lines with `severity` and `message`, the fields Cloud Logging parses from stdout. */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  return {
    log(severity, message, fields = {}) {
      write(JSON.stringify({ severity, message, time: new Date().toISOString(), ...fields }));
    },
  };
}
