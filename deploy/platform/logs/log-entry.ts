/** One line a revision logged: from the emulator's log file or a Cloud Logging entry. */
export interface LogEntry {
  /** ISO 8601; null for a line of an older emulator log without timestamps. */
  timestamp: string | null;
  /** Cloud Logging's severity (DEFAULT, INFO, ERROR…); the emulator: DEFAULT for stdout, ERROR for stderr, as Cloud Run does. */
  severity: string;
  revision: string;
  text: string;
}

export interface LogQuery {
  service: string;
  /** One revision, or undefined for every revision of the service. */
  revision: string | undefined;
  /** Only entries at or after this time. */
  since: Date | undefined;
}
