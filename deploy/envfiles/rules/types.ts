import type { EnvironmentConfig, EnvironmentKind } from "../../config/environment-schema.js";
import type { Diagnostic } from "../../core/diagnostics.js";
import type { SourceLocation } from "../../core/source-location.js";
import type { EnvSchema } from "../load-schema.js";
import type { DotenvEntry } from "../parse-dotenv.js";
import type { WebOrigins } from "../web-origins.js";

export interface EnvFileData {
  /** Path relative to the project, as shown to users. */
  file: string;
  entries: ReadonlyMap<string, DotenvEntry>;
  /** False when parsing stopped early (unterminated quote): missing keys prove nothing. */
  complete: boolean;
}

/** Everything the rules know about one environment; plain data. */
export interface EnvironmentFacts {
  name: string;
  kind: EnvironmentKind;
  /** environments/<name>.yaml, relative to the project. */
  file: string;
  config: EnvironmentConfig;
  locate(path: readonly PropertyKey[], options?: { key?: boolean }): SourceLocation;
  /** Undefined when the env file is missing or was refused (already reported). */
  envFile: EnvFileData | undefined;
  webOrigins: WebOrigins | undefined;
}

export interface RuleContext {
  schema: EnvSchema;
  environments: readonly EnvironmentFacts[];
}

/** A cross-environment rule: pure, returns every problem it finds. */
export interface Rule {
  name: string;
  check(ctx: RuleContext): Diagnostic[];
}

/** Location of a variable's line in an environment's env file. */
export function entryLocation(envFile: EnvFileData, key: string): SourceLocation {
  const entry = envFile.entries.get(key);
  return { file: envFile.file, ...(entry ? { line: entry.line, column: entry.column } : {}), keyPath: key };
}

export function diagnostic(
  code: string,
  message: string,
  where: SourceLocation,
  hint: string,
  severity: Diagnostic["severity"] = "error",
): Diagnostic {
  return { severity, code, message, ...where, hint };
}

/** Environments with a readable env file, paired with it. */
export function withEnvFiles(ctx: RuleContext): { environment: EnvironmentFacts; envFile: EnvFileData }[] {
  return ctx.environments.flatMap((environment) =>
    environment.envFile ? [{ environment, envFile: environment.envFile }] : [],
  );
}

/** Shows a value in a message, shortened; callers never pass secret values. */
/**
 * A value as messages show it. Never shortened: a cut-off copy of a secret (or of a value that
 * embeds one) would no longer match the redactor, which masks values only whole.
 */
export function quoteValue(value: string): string {
  return JSON.stringify(value);
}
