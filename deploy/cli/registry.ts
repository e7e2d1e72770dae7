import type { CommandDefinition } from "./command.js";
import { buildCommands } from "./commands/build.js";
import { checkCommands } from "./commands/check.js";
import { driftCommands } from "./commands/drift.js";
import { emulatorCommands } from "./commands/emulator.js";
import { initCommands } from "./commands/init.js";
import { logsCommands } from "./commands/logs.js";
import { previewCommands } from "./commands/preview.js";
import { promotionCommands } from "./commands/promotion.js";
import { smokeCommands } from "./commands/smoke.js";

/** Every command, in the order help lists them. Metadata only: handlers load lazily. */
export const commands: readonly CommandDefinition[] = [
  ...initCommands,
  ...checkCommands,
  ...smokeCommands,
  ...buildCommands,
  ...promotionCommands,
  ...driftCommands,
  ...logsCommands,
  ...previewCommands,
  ...emulatorCommands,
];

export interface Resolved {
  command: CommandDefinition;
  /** argv with the command words removed. */
  rest: string[];
}

/** Finds the command named by the leading words of argv (two words before one). */
export function resolveCommand(argv: readonly string[], list = commands): Resolved | undefined {
  const words = argv.filter((arg) => !arg.startsWith("-")).slice(0, 2);
  for (const length of [2, 1]) {
    if (words.length < length) continue;
    const name = words.slice(0, length).join(" ");
    const command = list.find((candidate) => candidate.name === name);
    if (!command) continue;
    const rest = [...argv];
    for (const word of words.slice(0, length)) rest.splice(rest.indexOf(word), 1);
    return { command, rest };
  }
  return undefined;
}

/** Commands under a group word, e.g. `preview` → preview deploy/list/cleanup. */
export function commandsInGroup(group: string, list = commands): CommandDefinition[] {
  return list.filter((command) => command.name.startsWith(`${group} `));
}
