import type { Style } from "../core/output.js";
import type { CommandDefinition, OptionSpec } from "./command.js";
import { globalOptionSpecs } from "./global-options.js";

export function renderMainHelp(list: readonly CommandDefinition[], style: Style): string {
  const width = Math.max(...list.map((command) => command.name.length), 8);
  const lines = [
    `${style.bold("echogate")} — build once, deploy beside live traffic, prove it with a realtime smoke gate, then promote.`,
    "",
    style.bold("Usage"),
    "  echogate <command> [options]",
    "",
    style.bold("Commands"),
    ...list.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    style.bold("Global options"),
    ...renderOptions(globalOptionSpecs),
    "",
    "Exit codes: 0 ok · 1 check or gate failed · 2 usage or config error · 3 platform/API error",
    "Run `echogate <command> --help` for a command's flags and examples.",
  ];
  return lines.join("\n");
}

export function renderCommandHelp(command: CommandDefinition, style: Style): string {
  const args = (command.args ?? [])
    .map((arg) => (arg.required ? `<${arg.name}>` : `[${arg.name}]`))
    .join(" ");
  const lines = [`${style.bold(`echogate ${command.name}`)} — ${command.summary}`];
  if (command.description) lines.push("", command.description);
  lines.push("", style.bold("Usage"), `  echogate ${command.name}${args ? ` ${args}` : ""} [options]`);
  if (command.args?.length) {
    lines.push("", style.bold("Arguments"));
    const width = Math.max(...command.args.map((arg) => arg.name.length));
    for (const arg of command.args) lines.push(`  ${arg.name.padEnd(width)}  ${arg.description}`);
  }
  if (command.options && Object.keys(command.options).length) {
    lines.push("", style.bold("Options"), ...renderOptions(command.options));
  }
  lines.push("", style.bold("Global options"), ...renderOptions(globalOptionSpecs));
  if (command.examples?.length) {
    lines.push("", style.bold("Examples"), ...command.examples.map((example) => `  $ ${example}`));
  }
  return lines.join("\n");
}

function renderOptions(specs: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(specs)
    .filter(([, spec]) => !spec.hidden)
    .map(([name, spec]) => {
      const flag = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.type === "string" ? ` ${spec.valueName ?? "<value>"}` : ""}`;
      return [flag, `${spec.description}${spec.multiple ? " (repeatable)" : ""}`] as const;
    });
  const width = Math.max(...rows.map(([flag]) => flag.length), 0);
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}
