import { parseArgs } from "node:util";
import { messageOf, UsageError } from "../core/errors.js";
import { colorEnabled } from "../core/terminal.js";
import { type CommandDefinition, camelName, type GlobalOptions, type OptionSpec } from "./command.js";
import { closest } from "./did-you-mean.js";
import { globalOptionSpecs } from "./global-options.js";

/** Positionals and options by their camel-cased names (see `ArgsOf` in command.ts). */
type ParsedArgs = Record<string, string | boolean | string[] | undefined>;

interface ParsedInvocation {
  args: ParsedArgs;
  globals: GlobalOptions;
  help: boolean;
}

/** Strict parse: unknown flags and missing arguments are usage errors (exit 2). */
export function parseInvocation(
  command: CommandDefinition,
  argv: readonly string[],
  defaults: { cwd: string; env: NodeJS.ProcessEnv; isTTY: boolean },
): ParsedInvocation {
  const specs: Record<string, OptionSpec> = { ...globalOptionSpecs, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [
          name,
          { type: spec.type, multiple: spec.multiple ?? false, ...(spec.short ? { short: spec.short } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(String(error))?.[1];
    const near = unknown?.startsWith("--") ? closest(unknown.slice(2), Object.keys(specs)) : undefined;
    throw new UsageError(describeParseError(error), {
      hint: `${near ? `Did you mean --${near}? ` : ""}Run \`echogate ${command.name} --help\` for the flags it takes.`,
    });
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  const declared = command.args ?? [];
  if (!help && parsed.positionals.length > declared.length) {
    throw new UsageError(
      `Unexpected argument "${parsed.positionals[declared.length]}" for \`${command.name}\`.`,
      {
        hint: `Run \`echogate ${command.name} --help\`.`,
      },
    );
  }
  const args: ParsedArgs = {};
  declared.forEach((spec, index) => {
    const value = parsed.positionals[index];
    if (value === undefined && spec.required && !help) {
      throw new UsageError(`Missing argument <${spec.name}> for \`${command.name}\`.`, {
        hint: `Usage: echogate ${command.name} ${declared.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(" ")}`,
      });
    }
    args[camelName(spec.name)] = value;
  });
  const globals: GlobalOptions = {
    json: values.json === true,
    quiet: values.quiet === true,
    debug: values.debug === true,
    color: colorEnabled({
      env: defaults.env,
      isTTY: defaults.isTTY,
      noColorFlag: values["no-color"] === true,
      json: values.json === true,
    }),
    cwd: typeof values.cwd === "string" ? values.cwd : defaults.cwd,
  };
  const impersonate = values["impersonate-service-account"];
  if (typeof impersonate === "string") {
    if (impersonate.trim() === "") {
      throw new UsageError("--impersonate-service-account needs a service account email.", {
        hint: "Pass e.g. --impersonate-service-account gate@my-project.iam.gserviceaccount.com.",
      });
    }
    globals.impersonateServiceAccount = impersonate;
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    const value = values[name];
    args[camelName(name)] = spec.type === "boolean" ? value === true : spec.multiple ? (value ?? []) : value;
  }
  return { args, globals, help };
}

function describeParseError(error: unknown): string {
  const message = messageOf(error);
  // node:util messages are long and mention internals; keep the useful first sentence.
  return message.split(". To specify")[0]!.replace(/^Unknown option/, "Unknown flag");
}
