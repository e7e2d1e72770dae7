import type { CommandDefinition } from "../command.js";

export const releaseCommands: CommandDefinition[] = [];
