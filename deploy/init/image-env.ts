import { shellWords } from "../source/dockerfile-parser.js";

/** A variable the image sets with `ENV`, in the stage that runs. */
export interface ImageVariable {
  key: string;
  value: string;
  /** `Dockerfile:7`. */
  where: string;
}

/**
 * Pure: the `ENV` variables of a Dockerfile's final stage. Honours the `# escape=` parser directive
 * (`` ` `` in Windows-style files) for line continuations; `ENV KEY value` (the legacy form) too.
 */
export function imageVariables(file: string, text: string): ImageVariable[] {
  const lines = text.split(/\r?\n/);
  let escapeChar = "\\";
  for (const line of lines) {
    const directive = /^#\s*(\w+)\s*=\s*(\S+)\s*$/.exec(line.trim());
    if (!directive) break;
    if (directive[1]!.toLowerCase() === "escape") escapeChar = directive[2]!;
  }
  let variables: ImageVariable[] = [];
  let pending: { text: string; line: number } | undefined;
  const finish = (instruction: { text: string; line: number }) => {
    const match = /^(\w+)\s+([\s\S]*)$/.exec(instruction.text.trim());
    if (!match) return;
    const keyword = match[1]!.toUpperCase();
    if (keyword === "FROM") variables = [];
    if (keyword !== "ENV") return;
    const where = `${file}:${instruction.line}`;
    const args = match[2]!.trim();
    if (/^[A-Za-z_][\w]*\s*=/.test(args)) {
      for (const word of shellWords(args)) {
        const eq = word.indexOf("=");
        if (eq > 0) variables.push({ key: word.slice(0, eq), value: word.slice(eq + 1), where });
      }
    } else {
      const legacy = /^([A-Za-z_]\w*)\s+(.*)$/.exec(args);
      if (legacy) variables.push({ key: legacy[1]!, value: legacy[2]!.trim(), where });
    }
  };
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (pending === undefined && trimmed === "")) return;
    const continues = trimmed.endsWith(escapeChar);
    const content = continues ? trimmed.slice(0, -escapeChar.length) : trimmed;
    pending = pending
      ? { ...pending, text: `${pending.text} ${content}` }
      : { text: content, line: index + 1 };
    if (!continues) {
      finish(pending);
      pending = undefined;
    }
  });
  if (pending) finish(pending);
  return variables;
}
