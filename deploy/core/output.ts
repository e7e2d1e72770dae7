import type { Writable } from "node:stream";
import pc from "picocolors";
import { type Diagnostic, formatDiagnostic } from "./diagnostics.js";
import { formatDuration } from "./duration.js";
import { isEchogateError, messageOf } from "./errors.js";
import { ExitCode } from "./exit-codes.js";
import { asInstallError } from "./install-problem.js";
import { LiveLines } from "./live-lines.js";
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
  /** Redraw one line per running step in place (a person's terminal: see `liveProgressEnabled`). */
  live?: boolean;
  /** The terminal's width when stdout is one: tables fit it (unset: nothing is cut). */
  columns?: number;
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

/** How `Output.run` ends its step. */
interface RunOptions<T> {
  /** The done line's detail, from what the work returned. */
  done?: (value: T) => string | undefined;
  /** The failed line's detail (default: the error's message). */
  failed?: (error: unknown) => string;
  /** Extra fields on the step's events (e.g. the environment). */
  data?: Record<string, unknown>;
}

interface StepHandle {
  /** The step's current phase ("connect", "12 of 40 files"): shown in its live line, a `step.update` event with --json. */
  update(text: string): void;
  done(detail?: string, data?: Record<string, unknown>): number;
  fail(detail?: string, data?: Record<string, unknown>): number;
}

/** A step as it ended, for reports (`startedMs` counts from the Output's creation). */
export interface StepRecord {
  name: string;
  startedMs: number;
  ms: number;
  ok: boolean;
  detail?: string;
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
  private readonly live: LiveLines | undefined;
  private readonly columnsOption: number | undefined;
  private readonly created = performance.now();
  private readonly ended: StepRecord[] = [];
  /** Open steps, newest last: `progress` updates the newest. */
  private readonly open: Array<{ id: number; handle: StepHandle }> = [];
  private nextStepId = 0;

  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    this.debug = options.debug ?? false;
    this.style = pc.createColors(options.color ?? false);
    this.redactor = options.redactor ?? new Redactor();
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.columnsOption = options.columns;
    this.live =
      options.live && !this.json && !this.quiet
        ? new LiveLines(
            (text) => this.stderr.write(text),
            () => this.columns(),
          )
        : undefined;
  }

  /** The width live lines fit: the terminal's, else 80. */
  private columns(): number {
    return this.columnsOption ?? 80;
  }

  /** Every step that ended, in the order they ended. */
  steps(): readonly StepRecord[] {
    return this.ended;
  }

  /**
   * Sets the phase of the newest open step (for code that reports progress without holding its
   * handle); true when a live line shows it.
   */
  progress(text: string): boolean {
    const newest = this.open.at(-1);
    newest?.handle.update(text);
    return newest !== undefined && this.live !== undefined;
  }

  /**
   * The command is over: a step still open failed (whatever threw left it so), and a live block
   * still drawn is erased.
   */
  close(): void {
    this.failOpenSteps("did not finish");
    this.live?.close();
  }

  /** Fails every step still open (the work that would have ended them threw). */
  failOpenSteps(detail: string): void {
    for (const { handle } of [...this.open].reverse()) handle.fail(detail);
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

  /**
   * Starts a timed step. Every step ends with `done` or `fail` (a test holds every command to it).
   * A person's terminal shows a live line (spinner, elapsed time, phase) that collapses to
   * `✔ name (12 ms)` or `✖ name`; elsewhere `→ name` now and the same line at the end.
   */
  step(name: string, data: Record<string, unknown> = {}): StepHandle {
    const started = performance.now();
    const id = this.nextStepId++;
    let finished = false;
    this.event({ event: "step.start", step: name, ...data });
    if (this.live) this.live.start(id, name);
    else if (!this.json && !this.quiet) this.writeErr(`${this.style.dim("→")} ${name}\n`);
    const finish = (ok: boolean, detail?: string, extra: Record<string, unknown> = {}): number => {
      const ms = Math.round(performance.now() - started);
      if (finished) return ms;
      finished = true;
      this.open.splice(
        this.open.findIndex((entry) => entry.id === id),
        1,
      );
      this.ended.push({
        name,
        startedMs: Math.round(started - this.created),
        ms,
        ok,
        ...(detail ? { detail } : {}),
      });
      this.event({ event: ok ? "step.done" : "step.fail", step: name, ms, detail, ...data, ...extra });
      const mark = ok ? this.style.green("✔") : this.style.red("✖");
      const suffix = detail ? ` ${this.style.dim("—")} ${detail}` : "";
      const line = `${mark} ${name} ${this.style.dim(`(${formatDuration(ms)})`)}${suffix}\n`;
      if (this.live) this.live.end(id, this.redactor.redact(line));
      else if (!this.json && (!this.quiet || !ok)) this.writeErr(line);
      return ms;
    };
    const handle: StepHandle = {
      update: (text) => {
        if (finished) return;
        this.event({ event: "step.update", step: name, text, ...data });
        this.live?.update(id, this.redactor.redact(text));
      },
      done: (detail, extra) => finish(true, detail, extra),
      fail: (detail, extra) => finish(false, detail, extra),
    };
    this.open.push({ id, handle });
    return handle;
  }

  /**
   * Runs `work` as one step and returns what it returns: done when it resolves, failed with the
   * error's message (or `failed(error)`) when it throws, and the error rethrown. `work` gets the
   * handle to report its phase (`update`).
   */
  async run<T>(
    title: string,
    work: (step: Pick<StepHandle, "update">) => Promise<T>,
    options: RunOptions<T> = {},
  ): Promise<T> {
    const handle = this.step(title, options.data);
    let value: T;
    try {
      value = await work(handle);
    } catch (error) {
      handle.fail((options.failed ?? messageOf)(error));
      throw error;
    }
    handle.done(options.done?.(value));
    return value;
  }

  /** The command's result: JSON document (with `ok` and `schemaVersion`), or the human rendering on stdout. */
  result<T>(data: T, render: (data: T, style: Style, layout: { width: number | undefined }) => string): void {
    if (this.json) {
      this.writeOut(`${JSON.stringify(this.redactor.redactDeep(jsonResult(data)), null, 2)}\n`);
      return;
    }
    // Rendered from redacted data: a renderer that shortens a value must not cut a secret in two.
    const text = render(this.redactor.redactDeep(data), this.style, { width: this.columnsOption });
    if (text) this.writeOut(text.endsWith("\n") ? text : `${text}\n`);
  }

  /**
   * One record of a stream (`logs --follow`): a compact JSON line with --json (NDJSON on stdout),
   * else the rendered line. Redacted like everything else.
   */
  record<T>(data: T, render: (data: T, style: Style) => string): void {
    if (this.json) {
      this.writeOut(`${JSON.stringify(this.redactor.redactDeep(data))}\n`);
      return;
    }
    this.writeOut(`${render(this.redactor.redactDeep(data), this.style)}\n`);
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
    // Steps the error interrupted end first, so their ✖ lines come before the error itself.
    this.failOpenSteps("stopped by the error below");
    if (isEchogateError(error)) {
      if (this.json) {
        this.writeErrorDocument({
          code: error.code,
          message: error.message,
          hint: error.hint,
          location: error.location,
          details: error.details,
        });
      } else {
        const where = error.location ? `${formatLocation(error.location)}: ` : "";
        this.writeErr(`${this.style.red("error")} ${where}${error.message}\n`);
        if (error.hint) this.writeErr(`  ${this.style.dim("hint:")} ${error.hint}\n`);
        if (this.debug && error.stack) this.writeErr(`${this.style.dim(error.stack)}\n`);
      }
      return error.exitCode;
    }
    const message = messageOf(error);
    if (this.json) {
      this.writeErrorDocument({ code: "internal", message });
    } else {
      this.writeErr(`${this.style.red("error")} Failed unexpectedly: ${message}\n`);
      if (this.debug && error instanceof Error && error.stack) this.writeErr(`${error.stack}\n`);
      else this.writeErr(`  ${this.style.dim("hint:")} re-run with --debug for the stack trace\n`);
    }
    return ExitCode.platform;
  }

  /** With --json, a failed command's one document on stdout. */
  private writeErrorDocument(error: Record<string, unknown>): void {
    const document = { ok: false, schemaVersion: RESULT_SCHEMA_VERSION, error };
    this.writeOut(`${JSON.stringify(this.redactor.redactDeep(document), null, 2)}\n`);
  }

  private writeOut(text: string): void {
    const redacted = this.redactor.redact(text);
    if (this.live) this.live.print(redacted, (out) => this.stdout.write(out));
    else this.stdout.write(redacted);
  }

  private writeErr(text: string): void {
    const redacted = this.redactor.redact(text);
    if (this.live) this.live.print(redacted);
    else this.stderr.write(redacted);
  }
}
