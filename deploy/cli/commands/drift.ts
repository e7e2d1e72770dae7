import type { CommandDefinition } from "../command.js";

export const driftCommands: CommandDefinition[] = [];
