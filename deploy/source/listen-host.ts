// Cloud Run's container contract: the ingress container listens on 0.0.0.0 at $PORT, and Cloud Run
// sets no HOST variable. A server bound to a loopback address never becomes ready there. Pure: finds
// the places in one source file that bind (or default HOST to) a loopback address.

export interface LoopbackListen {
  /** 1-based line of the listen call or the HOST default. */
  line: number;
  /** The loopback address as written: 127.0.0.1, localhost, ::1. */
  host: string;
  kind: "listen" | "host-default";
  /** The source line, trimmed, for reports. */
  text: string;
}

const LOOPBACK = String.raw`127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1|\[::1\]`;
const LOOPBACK_LITERAL = new RegExp(String.raw`^(['"\x60])(${LOOPBACK})\1$`);
/** `X ?? "127.0.0.1"` / `X || 'localhost'`: what the expression is when X is unset. */
const LOOPBACK_FALLBACK = new RegExp(String.raw`(?:\?\?|\|\|)\s*(['"\x60])(${LOOPBACK})\1`);
/** The HOST variable (not REDIS_HOST) defaulting to a loopback address. */
const HOST_DEFAULT = new RegExp(
  String.raw`\benv(?:\.HOST|\[\s*['"]HOST['"]\s*\])(?:\?\.trim\(\))?\s*(?:\?\?|\|\|)\s*(['"\x60])(${LOOPBACK})\1`,
  "g",
);
/** `const host = "127.0.0.1"` or `const host = process.env.X ?? "localhost"`. */
const LOOPBACK_BINDING = new RegExp(
  String.raw`\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([^;\n]*?(?:\?\?|\|\|)\s*)?(['"\x60])(${LOOPBACK})\3`,
  "g",
);

/** Every loopback bind in `text`: listen calls with a loopback host and HOST defaulting to loopback. */
export function findLoopbackListens(text: string): LoopbackListen[] {
  const code = blankComments(text);
  const lines = text.split("\n");
  const lineAt = (offset: number) => code.slice(0, offset).split("\n").length;
  const found = new Map<number, LoopbackListen>();
  const add = (offset: number, host: string, kind: LoopbackListen["kind"]) => {
    const line = lineAt(offset);
    if (!found.has(line)) found.set(line, { line, host, kind, text: lines[line - 1]!.trim() });
  };

  const loopbackNames = new Map<string, string>();
  for (const match of code.matchAll(LOOPBACK_BINDING)) loopbackNames.set(match[1]!, match[4]!);
  const loopbackOf = (argument: string): string | undefined => {
    const trimmed = argument.trim();
    return (
      LOOPBACK_LITERAL.exec(trimmed)?.[2] ??
      LOOPBACK_FALLBACK.exec(trimmed)?.[2] ??
      loopbackNames.get(trimmed) ??
      undefined
    );
  };

  for (const call of code.matchAll(/\.listen\s*\(/g)) {
    const args = splitArguments(code, call.index! + call[0].length);
    const [first, second] = args;
    const host =
      (second !== undefined ? loopbackOf(second) : undefined) ??
      (first?.trim().startsWith("{") ? hostProperty(first, loopbackOf) : undefined);
    if (host) add(call.index!, host, "listen");
  }
  for (const match of code.matchAll(HOST_DEFAULT)) add(match.index!, match[2]!, "host-default");
  return [...found.values()].sort((a, b) => a.line - b.line);
}

/** `{ port, host: "127.0.0.1" }` as listen's options object. */
function hostProperty(objectText: string, loopbackOf: (argument: string) => string | undefined) {
  const inner = objectText.trim().slice(1, -1);
  for (const property of splitTopLevel(inner)) {
    const match = /^\s*(?:host|['"]host['"])\s*:\s*([\s\S]+)$/.exec(property);
    if (match) return loopbackOf(match[1]!);
  }
  return undefined;
}

/** The top-level arguments of a call whose `(` ends just before `start`. */
function splitArguments(code: string, start: number): string[] {
  const end = walkOutsideStrings(code, start, (char, _index, depth) => depth === 0 && ")]}".includes(char));
  return splitTopLevel(code.slice(start, end));
}

/** Splits on commas outside brackets and strings. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let from = 0;
  walkOutsideStrings(text, 0, (char, index, depth) => {
    if (char === "," && depth === 0) {
      parts.push(text.slice(from, index));
      from = index + 1;
    }
    return false;
  });
  const last = text.slice(from);
  if (last.trim() !== "") parts.push(last);
  return parts;
}

/**
 * Walks `text` from `start`, skipping what is inside string literals, and calls `visit` with each
 * other character and the bracket depth before it; stops at the index where `visit` returns true
 * (else at the end) and returns that index.
 */
function walkOutsideStrings(
  text: string,
  start: number,
  visit: (char: string, index: number, depth: number) => boolean,
): number {
  let depth = 0;
  let quote: string | undefined;
  let index = start;
  for (; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      quote = char;
      continue;
    }
    if (visit(char, index, depth)) break;
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
  }
  return index;
}

/** Comments replaced by spaces (newlines kept, so offsets and lines stay), strings left alone. */
function blankComments(text: string): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      out += char;
      if (char === "\\" && i + 1 < text.length) out += text[++i];
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") {
        out += " ";
        i++;
      }
      if (i < text.length) out += "\n";
      continue;
    }
    if (char === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      const stop = close === -1 ? text.length : close + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop - 1;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") quote = char;
    out += char;
  }
  return out;
}
