import { ConfigError } from "./errors.js";
import type { SourceLocation } from "./source-location.js";
import { formatLocation } from "./source-location.js";

export type Severity = "error" | "warning";

/** One problem found while validating; collected, never thrown one at a time. */
export interface Diagnostic extends Partial<SourceLocation> {
  severity: Severity;
  /** Stable identifier, e.g. `env.missing-key` or the rule name. */
  code: string;
  message: string;
  hint?: string;
}

export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(code: string, message: string, where: Partial<SourceLocation> = {}, hint?: string): void {
    this.items.push({ severity: "error", code, message, ...where, ...(hint ? { hint } : {}) });
  }

  warning(code: string, message: string, where: Partial<SourceLocation> = {}, hint?: string): void {
    this.items.push({ severity: "warning", code, message, ...where, ...(hint ? { hint } : {}) });
  }

  add(...diagnostics: Diagnostic[]): void {
    this.items.push(...diagnostics);
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "error");
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "warning");
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/** `file:line:col (key): message` — the one textual form of a diagnostic. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.file ? `${formatLocation(diagnostic as SourceLocation)}: ` : "";
  const hint = diagnostic.hint ? `\n    ${diagnostic.hint}` : "";
  return `${diagnostic.severity}[${diagnostic.code}] ${where}${diagnostic.message}${hint}`;
}

/** Where a diagnostic points, as an error's `location` option (nothing when it names no file). */
export function errorLocationOf(diagnostic: Diagnostic | undefined): { location?: SourceLocation } {
  if (!diagnostic?.file) return {};
  const { file, line, column, keyPath } = diagnostic;
  return {
    location: {
      file,
      ...(line ? { line } : {}),
      ...(column ? { column } : {}),
      ...(keyPath ? { keyPath } : {}),
    },
  };
}

/**
 * Errors that stop a command, as the one ConfigError it throws: located at the first, every one in
 * `details.diagnostics`. With `subject` the message says what can't be used and lists every
 * problem (one reads on one line, several get a line each, so none is hidden); without, it is the
 * first diagnostic's own message (a file that could not be read says everything itself).
 */
export function configErrorFrom(
  errors: readonly Diagnostic[],
  options: { code?: string; subject?: string; hint?: string } = {},
): ConfigError {
  const first = errors[0];
  if (!first) throw new Error("configErrorFrom needs at least one diagnostic");
  const message =
    options.subject === undefined
      ? first.message
      : errors.length === 1
        ? `Can't use ${options.subject}: ${first.keyPath ? `${first.keyPath}: ` : ""}${first.message}`
        : `Can't use ${options.subject}: ${errors.length} problems:${errors.map((error) => `\n  ${placed(error)}`).join("")}`;
  const hint = options.hint ?? first.hint;
  return new ConfigError(options.code ?? first.code, message, {
    ...errorLocationOf(first),
    ...(hint ? { hint } : {}),
    details: { diagnostics: [...errors] },
  });
}

/** A diagnostic's message after where it is (file:line:col (key), or only the key). */
function placed(diagnostic: Diagnostic): string {
  const where = diagnostic.file ? formatLocation(diagnostic as SourceLocation) : diagnostic.keyPath;
  return where ? `${where}: ${diagnostic.message}` : diagnostic.message;
}
