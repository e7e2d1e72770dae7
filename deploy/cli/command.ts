import type { Output } from "../core/output.js";
import type { Redactor } from "../core/redact.js";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  short?: string;
  multiple?: boolean;
  /** Placeholder in help, e.g. `<url>`. */
  valueName?: string;
  /** Hidden from help (demo/test-only switches). */
  hidden?: boolean;
}

export interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  color: boolean;
  debug: boolean;
  cwd: string;
}

export interface CommandContext {
  /** Positional arguments by the names in `args`. */
  args: Record<string, string | undefined>;
  options: OptionValues;
  globals: GlobalOptions;
  /** Project directory (`--cwd`, default the process's cwd). */
  cwd: string;
  output: Output;
  redactor: Redactor;
  /** Aborted on Ctrl-C / SIGTERM: long steps must stop cleanly. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export interface CommandModule {
  /** Returns the exit code; throws EchogateError for reported failures. */
  run(context: CommandContext): Promise<number>;
}

/** Pure metadata plus a lazy loader, so `--help` never imports a handler. */
export interface CommandDefinition {
  /** One or two words: `check`, `preview deploy`. */
  name: string;
  summary: string;
  description?: string;
  args?: ArgSpec[];
  options?: Record<string, OptionSpec>;
  examples?: string[];
  load: () => Promise<CommandModule>;
}

export function defineCommand(definition: CommandDefinition): CommandDefinition {
  return definition;
}
