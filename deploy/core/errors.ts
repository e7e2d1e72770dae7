import { ExitCode } from "./exit-codes.js";
import type { SourceLocation } from "./source-location.js";

interface ErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  location?: SourceLocation;
  /** Structured detail for `--json`; redacted before printing. */
  details?: unknown;
  cause?: unknown;
}

/**
 * Base of every error echogate reports on purpose. Anything else reaching the
 * top level is a bug and is printed as such (stack only with --debug).
 */
export class EchogateError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly details: unknown;

  constructor(code: string, exitCode: ExitCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.location = options.location;
    this.details = options.details;
  }
}

/** Bad flags or arguments. */
export class UsageError extends EchogateError {
  constructor(message: string, options: ErrorOptions = {}) {
    super("usage", ExitCode.config, message, options);
  }
}

/** A config file, spec or env file that can't be used as written. */
export class ConfigError extends EchogateError {
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(code, ExitCode.config, message, options);
  }
}

/** A check or gate that ran and said no. */
export class CheckFailedError extends EchogateError {
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(code, ExitCode.checkFailed, message, options);
  }
}

/** The platform (Cloud Run, Hosting, the emulator) failed or refused. */
export class PlatformError extends EchogateError {
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(code, ExitCode.platform, message, options);
  }
}

export function isEchogateError(error: unknown): error is EchogateError {
  return error instanceof EchogateError;
}

/** The message of anything thrown: an Error's message, or the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first line of {@link messageOf}, for one-line step failures. */
export function firstLineOf(error: unknown): string {
  return messageOf(error).split("\n")[0] ?? "";
}
