import type { CommandDefinition } from "../command.js";

export const emulatorCommands: CommandDefinition[] = [];
