import { DockerfileParser, type Heredoc, type Instruction } from "dockerfile-ast";

export interface DockerInstruction {
  /** Upper-case keyword: FROM, COPY, RUN, CMD, … */
  keyword: string;
  /**
   * Everything after the keyword, continuation lines joined, `ARG`/`ENV` variables substituted as
   * the builder does. A `RUN <<EOF` here-document's body, its lines joined by ` ; `, as the command.
   */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  /** The instruction as written (continuations joined), for reports. */
  text: string;
  /** Here-documents: `COPY <<EOF start.sh` writes `body` to start.sh; `RUN <<EOF` runs it. */
  heredocs: { name: string; body: string }[];
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
 * Reads a Dockerfile with dockerfile-ast (a maintained parser: the `# escape=` directive, `\` or
 * backtick continuations, comments inside them, here-documents, `ARG`/`ENV` substitution), into the
 * instruction list the rules read.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const lines = text.split(/\r?\n/);
  const slice = ({ start, end }: TextRange): string =>
    start.line === end.line
      ? (lines[start.line] ?? "").slice(start.character, end.character)
      : [
          (lines[start.line] ?? "").slice(start.character),
          ...lines.slice(start.line + 1, end.line),
          (lines[end.line] ?? "").slice(0, end.character),
        ].join("\n");
  return DockerfileParser.parse(text)
    .getInstructions()
    .map((instruction) => toInstruction(instruction, slice));
}

interface TextRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function toInstruction(instruction: Instruction, slice: (range: TextRange) => string): DockerInstruction {
  const keyword = instruction.getKeyword().toUpperCase();
  const line = instruction.getRange().start.line + 1;
  const heredocs = hereDocuments(instruction).map((heredoc) => {
    const body = heredoc.getContentRange();
    return { name: heredoc.getName(), body: body ? slice(body) : "" };
  });
  // Flags (`--from=build`, `--mount=…`) are not arguments to dockerfile-ast; the rules read them as words.
  const flags = (instruction as unknown as { getFlags?: () => { toString(): string }[] }).getFlags?.() ?? [];
  const expanded = [
    ...flags.map((flag) => flag.toString()),
    ...instruction.getExpandedArguments().map((argument) => argument.getValue()),
  ];
  let args = expanded.join(" ");
  if (heredocs.length > 0) {
    // Only the words of the first line are arguments; the lines after are the bodies.
    const first = (instruction.getRawArgumentsContent() ?? "").split("\n")[0] ?? "";
    const onFirstLine = expanded.slice(0, first.split(/\s+/).filter((word) => word !== "").length);
    args =
      keyword === "RUN"
        ? [
            ...onFirstLine.filter((word) => !word.startsWith("<<")),
            ...heredocs.map((heredoc) => asCommandLine(heredoc.body)),
          ]
            .filter((part) => part !== "")
            .join(" ")
        : onFirstLine.join(" ");
  }
  const written = instruction.getArgumentsContent() ?? "";
  const text = [
    instruction.getInstruction(),
    ...flags.map((flag) => flag.toString()),
    heredocs.length > 0 ? (written.split("\n")[0] ?? "") : written.replace(/\s+/g, " "),
  ]
    .join(" ")
    .trim();
  return { keyword, args, line, text, heredocs };
}

function hereDocuments(instruction: Instruction): Heredoc[] {
  const keyword = instruction.getKeyword().toUpperCase();
  if (keyword !== "RUN" && keyword !== "COPY" && keyword !== "ADD") return [];
  const withHeredocs = instruction as unknown as { getHeredocs?: () => Heredoc[] };
  return withHeredocs.getHeredocs?.() ?? [];
}

/** A script's lines as one command line: comments dropped, continuations joined, lines `;`-separated. */
function asCommandLine(body: string): string {
  return body
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .join(" ; ");
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
