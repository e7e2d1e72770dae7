import type { CommandDefinition } from "../command.js";

export const smokeCommands: CommandDefinition[] = [];
