export type Severity = "DEBUG" | "INFO" | "WARNING" | "ERROR";

export interface Logger {
  log(severity: Severity, message: string, fields?: Record<string, unknown>): void;
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
