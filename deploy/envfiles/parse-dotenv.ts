import type { Diagnostic } from "../core/diagnostics.js";

/** Env files are small; a larger one is refused before it is parsed. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

type QuoteStyle = "none" | "single" | "double";

export interface DotenvEntry {
  key: string;
  value: string;
  /** 1-based line of the key. */
  line: number;
  /** 1-based column where the value starts. */
  column: number;
  quote: QuoteStyle;
}

interface ParsedDotenv {
  entries: DotenvEntry[];
  diagnostics: Diagnostic[];
  /** False when the file was refused whole (NUL byte, too large). */
  readable: boolean;
  /** False when parsing stopped before the end (an unterminated quote). */
  complete: boolean;
}

const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BOM = "\uFEFF";

/**
 * Parses dotenv text without interpolation: what is written is what you get.
 * Single quotes are literal; double quotes may span lines and understand
 * `\n \r \t \" \\`; `#` starts a comment at line start or after whitespace.
 */
export function parseDotenv(file: string, input: string | Uint8Array): ParsedDotenv {
  const diagnostics: Diagnostic[] = [];
  const size = typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_ENV_FILE_BYTES)
    return { entries: [], diagnostics: [tooLargeDiagnostic(file, size)], readable: false, complete: false };
  let text =
    typeof input === "string"
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8");
  const nul = text.indexOf("\0");
  if (nul !== -1) {
    diagnostics.push({
      severity: "error",
      code: "env.nul-byte",
      message: `Can't read ${file}: it contains a NUL byte, so it is not a text file.`,
      file,
      line: lineOf(text, nul),
      hint: "Re-save the file as UTF-8 text (a UTF-16 editor setting often causes this).",
    });
    return { entries: [], diagnostics, readable: false, complete: false };
  }
  // Both are errors although echogate can read past them: other readers of the same file
  // (docker --env-file, `source` in a shell) keep the BOM in the first key and the \r in values.
  if (text.startsWith(BOM)) {
    diagnostics.push({
      severity: "error",
      code: "env.bom",
      message:
        "File starts with a UTF-8 byte-order mark, which other env-file readers take as part of the first key.",
      file,
      line: 1,
      hint: "Re-save the file as UTF-8 without BOM.",
    });
    text = text.slice(1);
  }
  const crlf = text.indexOf("\r\n");
  if (crlf !== -1) {
    diagnostics.push({
      severity: "error",
      code: "env.crlf",
      message:
        "File uses Windows line endings (CRLF); other env-file readers keep the \\r at the end of every value.",
      file,
      line: lineOf(text, crlf),
      hint: "Convert the file to LF line endings (e.g. `git config core.autocrlf input`).",
    });
    text = text.replaceAll("\r\n", "\n");
  }
  const { entries, complete } = parseLines(file, text.split("\n"), diagnostics);
  return { entries, diagnostics, readable: true, complete };
}

export function tooLargeDiagnostic(file: string, size: number): Diagnostic {
  return {
    severity: "error",
    code: "env.too-large",
    message: `Can't read ${file}: it is ${Math.ceil(size / 1024)} KB; env files are limited to ${MAX_ENV_FILE_BYTES / 1024} KB.`,
    file,
    hint: "Env files hold settings, not data; move large values elsewhere.",
  };
}

function parseLines(
  file: string,
  lines: string[],
  diagnostics: Diagnostic[],
): { entries: DotenvEntry[]; complete: boolean } {
  const entries: DotenvEntry[] = [];
  const firstLine = new Map<string, number>();
  const error = (code: string, message: string, line: number, hint: string, keyPath?: string): void => {
    diagnostics.push({ severity: "error", code, message, file, line, ...(keyPath ? { keyPath } : {}), hint });
  };
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const raw = lines[index]!;
    const trimmed = raw.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const indent = raw.length - trimmed.length;
    const exported = trimmed.startsWith("export") ? /^export\s+/.exec(trimmed) : null;
    const body = exported ? trimmed.slice(exported[0].length) : trimmed;
    const offset = indent + (exported ? exported[0].length : 0);
    const equals = body.indexOf("=");
    if (equals === -1) {
      error(
        "env.syntax",
        `Can't read line ${lineNo}: expected KEY=value.`,
        lineNo,
        "Each line is KEY=value, a # comment, or blank.",
      );
      continue;
    }
    const key = body.slice(0, equals).trimEnd();
    if (!KEY_PATTERN.test(key)) {
      error(
        "env.invalid-key",
        // Only up to the first character that can't be in a name: a mistyped line (`KEY: value`)
        // must not echo a value the redactor never learnt was secret.
        `Can't use "${shownKey(key)}" as a variable name: use letters, digits and _, not starting with a digit.`,
        lineNo,
        "Rename the variable, e.g. MY_SETTING.",
      );
      continue;
    }
    const afterEquals = body.slice(equals + 1);
    const leading = afterEquals.length - afterEquals.trimStart().length;
    const valueText = afterEquals.trimStart();
    const column = offset + equals + 1 + leading + 1;
    const quote = valueText[0] === '"' ? "double" : valueText[0] === "'" ? "single" : "none";
    let value: string;
    let rest: string;
    if (quote === "none") {
      // Strip from the untrimmed text so `KEY= # note` is an empty value, not "# note".
      value = stripInlineComment(afterEquals).trim();
      rest = "";
    } else if (quote === "single") {
      const close = valueText.indexOf("'", 1);
      if (close === -1) {
        error(
          "env.unterminated-quote",
          `Can't read ${key}: the single quote opened on line ${lineNo} is never closed.`,
          lineNo,
          "Close the quote on the same line; single-quoted values can't span lines (use double quotes).",
          key,
        );
        continue;
      }
      value = valueText.slice(1, close);
      rest = valueText.slice(close + 1);
    } else {
      const scanned = scanDoubleQuoted(lines, index, offset + equals + 1 + leading + 1);
      if (!scanned) {
        error(
          "env.unterminated-quote",
          `Can't read ${key}: the double quote opened on line ${lineNo} is never closed.`,
          lineNo,
          'Add the closing " (a value may span lines, but it must end).',
          key,
        );
        // Everything after an unclosed quote belongs to it; reading on would invent errors.
        return { entries, complete: false };
      }
      value = scanned.value;
      rest = scanned.rest;
      index = scanned.endIndex;
    }
    if (rest.trim() !== "" && !rest.trimStart().startsWith("#")) {
      error(
        "env.syntax",
        `Can't read ${key}: unexpected text after the closing quote.`,
        index + 1,
        "Put comments after whitespace and #, or quote the whole value.",
        key,
      );
      continue;
    }
    const previous = firstLine.get(key);
    if (previous !== undefined) {
      error(
        "env.duplicate-key",
        `Can't define ${key} twice: lines ${previous} and ${lineNo}.`,
        lineNo,
        "Keep one of the two lines; tools disagree on which one wins.",
        key,
      );
      continue;
    }
    firstLine.set(key, lineNo);
    entries.push({ key, value, line: lineNo, column, quote });
  }
  return { entries, complete: true };
}

/** `#` begins a comment only after whitespace, so `a#b` and URLs with fragments survive. */
function stripInlineComment(text: string): string {
  const match = /\s#/.exec(text);
  return match ? text.slice(0, match.index) : text;
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

function scanDoubleQuoted(
  lines: readonly string[],
  startIndex: number,
  startColumn: number,
): { value: string; rest: string; endIndex: number } | undefined {
  let value = "";
  for (let index = startIndex; index < lines.length; index++) {
    const line = lines[index]!;
    let position = index === startIndex ? startColumn : 0;
    while (position < line.length) {
      const char = line[position]!;
      if (char === "\\" && position + 1 < line.length) {
        const next = line[position + 1]!;
        value += ESCAPES[next] ?? `\\${next}`;
        position += 2;
        continue;
      }
      if (char === '"') return { value, rest: line.slice(position + 1), endIndex: index };
      value += char;
      position += 1;
    }
    value += "\n";
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

function shownKey(key: string): string {
  const name = key.split(/[^A-Za-z0-9_.-]/)[0]!;
  return name.length < key.length ? `${name}…` : key;
}
