import type { Writable } from "node:stream";
import pc from "picocolors";
import { type Diagnostic, formatDiagnostic } from "./diagnostics.js";
import { formatDuration } from "./duration.js";
import { isEchogateError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";
import { asInstallError } from "./install-problem.js";
import type { OutputEvent } from "./output-events.js";
import { Redactor } from "./redact.js";
import { formatLocation } from "./source-location.js";

export type Style = ReturnType<typeof pc.createColors>;

interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  debug?: boolean;
  redactor?: Redactor;
  stdout?: Writable;
  stderr?: Writable;
}

/**
 * The version of every `--json` result's shape (and of the programmatic API's results): raised
 * when a field is removed or changes meaning, not when one is added.
 */
const RESULT_SCHEMA_VERSION = 1;

/**
 * A result object as `--json` prints it: `ok` (true unless the result says otherwise: a command
 * that fails throws, and the error envelope has `ok: false`) and `schemaVersion` first.
 */
function jsonResult<T>(data: T): T | (T & { ok: boolean; schemaVersion: number }) {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data;
  const ok = (data as { ok?: unknown }).ok;
  return { ok: typeof ok === "boolean" ? ok : true, schemaVersion: RESULT_SCHEMA_VERSION, ...data };
}

interface StepHandle {
  done(detail?: string, data?: Record<string, unknown>): number;
  fail(detail?: string, data?: Record<string, unknown>): number;
}

/**
 * The one place that writes for a command. Human mode: results on stdout,
 * progress and warnings on stderr. JSON mode: exactly one JSON document on
 * stdout, progress as NDJSON events on stderr. Everything passes the redactor.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;
  readonly style: Style;
  readonly redactor: Redactor;
  private readonly stdout: Writable;
  private readonly stderr: Writable;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.debug = options.debug ?? false;
    this.style = pc.createColors(options.color ?? false);
    this.redactor = options.redactor ?? new Redactor();
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
  }

  /** Progress or context for a person; silent with --json or --quiet. */
  info(text: string): void {
    if (this.json || this.quiet) return;
    this.writeErr(`${text}\n`);
  }

  warn(text: string): void {
    if (this.json) {
      this.event({ event: "warning", message: text });
      return;
    }
    this.writeErr(`${this.style.yellow("warning")} ${text}\n`);
  }

  /** A machine-readable progress event (NDJSON on stderr, only with --json). */
  event(data: OutputEvent): void {
    if (!this.json) return;
    this.writeErr(`${JSON.stringify(this.redactor.redactDeep({ ...data, at: new Date().toISOString() }))}\n`);
  }

  /** Starts a timed step: `→ name` now, `✔ name (12 ms)` or `✖ name` at the end. */
  step(name: string, data: Record<string, unknown> = {}): StepHandle {
    const started = performance.now();
    this.event({ event: "step.start", step: name, ...data });
    if (!this.json && !this.quiet) this.writeErr(`${this.style.dim("→")} ${name}\n`);
    const finish = (ok: boolean, detail?: string, extra: Record<string, unknown> = {}): number => {
      const ms = Math.round(performance.now() - started);
      this.event({ event: ok ? "step.done" : "step.fail", step: name, ms, detail, ...data, ...extra });
      if (!this.json && (!this.quiet || !ok)) {
        const mark = ok ? this.style.green("✔") : this.style.red("✖");
        const suffix = detail ? ` ${this.style.dim("—")} ${detail}` : "";
        this.writeErr(`${mark} ${name} ${this.style.dim(`(${formatDuration(ms)})`)}${suffix}\n`);
      }
      return ms;
    };
    return {
      done: (detail, extra) => finish(true, detail, extra),
      fail: (detail, extra) => finish(false, detail, extra),
    };
  }

  /** The command's result: JSON document (with `ok` and `schemaVersion`), or the human rendering on stdout. */
  result<T>(data: T, render: (data: T, style: Style) => string): void {
    if (this.json) {
      this.writeOut(`${JSON.stringify(this.redactor.redactDeep(jsonResult(data)), null, 2)}\n`);
      return;
    }
    // Rendered from redacted data: a renderer that shortens a value must not cut a secret in two.
    const text = render(this.redactor.redactDeep(data), this.style);
    if (text) this.writeOut(text.endsWith("\n") ? text : `${text}\n`);
  }

  diagnostics(items: readonly Diagnostic[]): void {
    if (this.json) return;
    for (const item of items) {
      const text = formatDiagnostic(item);
      this.writeErr(`${item.severity === "error" ? this.style.red(text) : this.style.yellow(text)}\n`);
    }
  }

  /** Reports an error and returns the exit code it maps to. */
  error(thrown: unknown): ExitCode {
    // A module that failed to load, however it was wrapped, is reported as the install problem it is.
    const error = asInstallError(thrown) ?? thrown;
    if (isEchogateError(error)) {
      if (this.json) {
        this.writeOut(
          `${JSON.stringify(
            this.redactor.redactDeep({
              ok: false,
              schemaVersion: RESULT_SCHEMA_VERSION,
              error: {
                code: error.code,
                message: error.message,
                hint: error.hint,
                location: error.location,
                details: error.details,
              },
            }),
            null,
            2,
          )}\n`,
        );
      } else {
        const where = error.location ? `${formatLocation(error.location)}: ` : "";
        this.writeErr(`${this.style.red("error")} ${where}${error.message}\n`);
        if (error.hint) this.writeErr(`  ${this.style.dim("hint:")} ${error.hint}\n`);
        if (this.debug && error.stack) this.writeErr(`${this.style.dim(error.stack)}\n`);
      }
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (this.json) {
      this.writeOut(
        `${JSON.stringify(
          this.redactor.redactDeep({
            ok: false,
            schemaVersion: RESULT_SCHEMA_VERSION,
            error: { code: "internal", message },
          }),
          null,
          2,
        )}\n`,
      );
    } else {
      this.writeErr(`${this.style.red("error")} Failed unexpectedly: ${message}\n`);
      if (this.debug && error instanceof Error && error.stack) this.writeErr(`${error.stack}\n`);
      else this.writeErr(`  ${this.style.dim("hint:")} re-run with --debug for the stack trace\n`);
    }
    return ExitCode.platform;
  }

  private writeOut(text: string): void {
    this.stdout.write(this.redactor.redact(text));
  }

  private writeErr(text: string): void {
    this.stderr.write(this.redactor.redact(text));
  }
}
