/** Joins lines so fixtures can be written one instruction per array item, line numbers easy to read. */
export const lines = (...items: string[]) => `${items.join("\n")}\n`;
