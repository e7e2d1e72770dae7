import type { Output } from "../core/output.js";
import type { Redactor } from "../core/redact.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";

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

interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
}

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  color: boolean;
  debug: boolean;
  cwd: string;
  /** `--impersonate-service-account`: the service account identity tokens are minted for. */
  impersonateServiceAccount?: string;
}

/** What every handler gets besides its arguments: loaded once per invocation, lazily. */
export interface CommandContext {
  /** The project's files (environments, env schema, env files, layout), each read once on first use. */
  project: Project;
  /** Cloud Run and Hosting (Google or the local emulator), each connection opened once. */
  platform: Platform;
  output: Output;
  redactor: Redactor;
  /** Aborted on Ctrl-C / SIGTERM: long steps must stop cleanly. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  /** The directory the command works in (`--cwd`, else the nearest one holding environments/). */
  cwd: string;
}

/** `dry-run` → `dryRun`. */
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

type OptionValue<S extends OptionSpec> = S["type"] extends "boolean"
  ? boolean
  : S["multiple"] extends true
    ? string[]
    : string | undefined;

type PositionalValues<A extends readonly ArgSpec[]> = {
  [Spec in A[number] as Camel<Spec["name"]>]: Spec["required"] extends true ? string : string | undefined;
};

type OptionValues<O extends Record<string, OptionSpec>> = {
  [Name in keyof O & string as Camel<Name>]: OptionValue<O[Name]>;
};

/** What a command takes: declared once, read by help, the parser and (as a type) its handler. */
export interface CommandShape {
  args?: readonly ArgSpec[];
  options?: Readonly<Record<string, OptionSpec>>;
}

/**
 * A handler's arguments, typed from its command's declared shape: positionals and options by their
 * camel-cased names; a boolean is always a boolean, a repeatable option always a list.
 */
export type ArgsOf<S extends CommandShape> = PositionalValues<
  S["args"] extends readonly ArgSpec[] ? S["args"] : []
> &
  OptionValues<S["options"] extends Record<string, OptionSpec> ? S["options"] : Record<never, OptionSpec>>;

type Handler<Args> = (args: Args, context: CommandContext) => Promise<number>;

interface CommandModule<Args = never> {
  /** Returns the exit code; throws EchogateError for reported failures. */
  run: Handler<Args>;
}

/** Pure metadata plus a lazy loader, so `--help` never imports a handler. */
export interface CommandDefinition<
  A extends readonly ArgSpec[] = readonly ArgSpec[],
  O extends Record<string, OptionSpec> = Record<string, OptionSpec>,
> {
  /** One or two words: `check`, `preview deploy`. */
  name: string;
  summary: string;
  description?: string;
  args?: A;
  options?: O;
  examples?: string[];
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds every command; each handler's own type is checked by defineCommand.
  load: () => Promise<CommandModule<any>>;
}

/**
 * Declares a command. The loaded handler must accept exactly the arguments declared here, so a
 * renamed flag or a wrong type fails typecheck instead of reading `undefined` at run time.
 */
export function defineCommand<
  const A extends readonly ArgSpec[] = [],
  const O extends Record<string, OptionSpec> = Record<never, OptionSpec>,
>(
  definition: Omit<CommandDefinition<A, O>, "load"> & {
    load: () => Promise<CommandModule<PositionalValues<A> & OptionValues<O>>>;
  },
): CommandDefinition<A, O> {
  return definition;
}

/** camelCase of a declared name, as handlers see it. */
export function camelName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
