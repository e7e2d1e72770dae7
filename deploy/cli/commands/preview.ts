import type { CommandDefinition } from "../command.js";

export const previewCommands: CommandDefinition[] = [];
