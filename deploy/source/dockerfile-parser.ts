export interface DockerInstruction {
  /** Upper-case keyword: FROM, COPY, RUN, CMD, … */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  /** The instruction as written (continuations joined), for reports. */
  text: string;
}

export interface DockerStage {
  index: number;
  name: string | null;
  /** The FROM image (or earlier stage name). */
  base: string;
  line: number;
  instructions: DockerInstruction[];
}

/**
 * A small honest Dockerfile reader: comments, blank lines, `\` continuations (comments
 * inside a continuation are skipped as Docker does), keywords case-insensitive.
 * Heredocs and a custom `# escape=` directive are not supported.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const lines = text.split(/\r?\n/);
  const instructions: DockerInstruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;

  lines.forEach((rawLine, i) => {
    const trimmed = rawLine.trim();
    if (trimmed.startsWith("#")) return;
    if (pending === null && trimmed === "") return;
    const continues = /\\\s*$/.test(rawLine);
    const content = continues ? rawLine.replace(/\\\s*$/, "") : rawLine;
    if (pending === null) pending = { parts: [], line: i + 1 };
    pending.parts.push(content.trim());
    if (!continues) {
      instructions.push(toInstruction(pending.parts.filter((part) => part !== "").join(" "), pending.line));
      pending = null;
    }
  });
  if (pending !== null) {
    const last: { parts: string[]; line: number } = pending;
    instructions.push(toInstruction(last.parts.join(" "), last.line));
  }
  return instructions;
}

function toInstruction(text: string, line: number): DockerInstruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text);
  return { keyword: (match?.[1] ?? "").toUpperCase(), args: match?.[2] ?? "", line, text };
}

export function splitStages(instructions: readonly DockerInstruction[]): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith("--"));
      const asIndex = words.findIndex((word) => word.toLowerCase() === "as");
      stages.push({
        index: stages.length,
        name: asIndex >= 0 ? (words[asIndex + 1] ?? null) : null,
        base: words[0] ?? "",
        line: instruction.line,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** CMD/ENTRYPOINT/RUN arguments: JSON (exec) form, or shell form split into words. */
export function commandWords(args: string): { form: "exec" | "shell"; words: string[] } {
  const trimmed = args.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) {
        return { form: "exec", words: parsed };
      }
    } catch {
      // Docker runs a malformed JSON array as a shell command; so do we.
    }
  }
  return { form: "shell", words: shellWords(trimmed) };
}

/** Splits a shell command into words, honouring quotes; operators become their own words. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if (ch === "&" || ch === "|" || ch === ";") {
      if (inWord) words.push(current);
      const double = command[i + 1] === ch && ch !== ";";
      words.push(double ? ch + ch : ch);
      if (double) i++;
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Splits shell words into simple commands at `&&`, `||`, `;` and `|`. */
export function simpleCommands(words: readonly string[]): string[][] {
  const commands: string[][] = [[]];
  for (const word of words) {
    if (word === "&&" || word === "||" || word === ";" || word === "|" || word === "&") commands.push([]);
    else commands.at(-1)!.push(word);
  }
  return commands.filter((command) => command.length > 0);
}
