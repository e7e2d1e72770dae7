/** Exit codes shared by every command (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  /** The check or gate failed: drift, smoke failure, invalid env file. */
  checkFailed: 1,
  /** Usage or configuration error. */
  config: 2,
  /** Platform or API error: unreachable, permission, conflict. */
  platform: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
