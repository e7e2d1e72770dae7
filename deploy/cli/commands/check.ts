import type { CommandDefinition } from "../command.js";

export const checkCommands: CommandDefinition[] = [];
