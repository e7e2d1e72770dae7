import type { CommandDefinition } from "../../deploy/cli/command.js";
import { globalOptionSpecs } from "../../deploy/cli/global-options.js";
import { parseInvocation } from "../../deploy/cli/parse-args.js";
import { commands, resolveCommand } from "../../deploy/cli/registry.js";

export interface Invocation {
  where: string;
  words: string[];
}

/** Checks one invocation against the registry; returns problems (empty when it is valid). */
export function invocationProblems(invocation: Invocation): string[] {
  const resolved = resolveCommand(invocation.words);
  if (!resolved) {
    return [
      `${invocation.where}: \`echogate ${invocation.words.join(" ")}\` is not a command (${commands.map((c) => c.name).join(", ")})`,
    ];
  }
  const found: string[] = [];
  const specs = { ...globalOptionSpecs, ...resolved.command.options };
  for (const word of resolved.rest) {
    if (!word.startsWith("--")) continue;
    const name = word.slice(2).split("=")[0]!;
    if (!(name in specs))
      found.push(
        `${invocation.where}: \`${resolved.command.name}\` has no --${name} (${flagList(resolved.command)})`,
      );
  }
  if (found.length > 0) return found;
  try {
    parseInvocation(resolved.command, resolved.rest, { cwd: process.cwd(), env: {}, isTTY: false });
  } catch (error) {
    found.push(`${invocation.where}: echogate ${invocation.words.join(" ")}: ${(error as Error).message}`);
  }
  return found;
}

function flagList(command: CommandDefinition): string {
  return Object.keys({ ...command.options, ...globalOptionSpecs })
    .map((n) => `--${n}`)
    .join(", ");
}
