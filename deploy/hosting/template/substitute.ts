// Pure: a template's files with each placeholder replaced by this environment's value, escaped
// for where it sits (a JS string with its quote, a JSON string, HTML text or attribute). A value
// that can't be placed safely is refused rather than written.

export interface BuildFile {
  /** Request path, `/assets/index-3f2a.js`. */
  path: string;
  content: Buffer;
}

type PlacementContext =
  | { kind: "js-string"; quote: '"' | "'" | "`"; inHtml: boolean }
  | { kind: "json-string" }
  | { kind: "html" }
  | { kind: "unknown" };

export class SubstitutionRefused extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file} (byte ${offset}): can't place ${key}: ${reason}`);
  }
}

const TEXT_FILE = /\.(m?js|cjs|jsx|ts|html?|json|map|webmanifest|css|txt|svg|xml)$/i;

/**
 * Replaces every placeholder in `files`. `placeholders` maps key → placeholder; `values` key →
 * value. Files without the nonce are returned as they are (same Buffer).
 */
export function substitute(
  files: readonly BuildFile[],
  placeholders: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
  nonce: string,
): BuildFile[] {
  const marker = Buffer.from(nonce);
  const entries = Object.entries(placeholders);
  return files.map((file) => {
    if (file.content.indexOf(marker) === -1) return file;
    const text = file.content.toString(TEXT_FILE.test(file.path) ? "utf8" : "latin1");
    let out = "";
    let last = 0;
    for (const { at, key, placeholder } of occurrences(text, entries)) {
      const value = values[key];
      if (value === undefined)
        throw new SubstitutionRefused(file.path, key, at, "this environment sets no value for it");
      out +=
        text.slice(last, at) +
        placeValue(value, contextAt(text, at, placeholder.length, file.path), file.path, key, at);
      last = at + placeholder.length;
    }
    out += text.slice(last);
    return { path: file.path, content: Buffer.from(out, TEXT_FILE.test(file.path) ? "utf8" : "latin1") };
  });
}

function occurrences(
  text: string,
  entries: readonly [string, string][],
): { at: number; key: string; placeholder: string }[] {
  const found: { at: number; key: string; placeholder: string }[] = [];
  for (const [key, placeholder] of entries)
    for (
      let at = text.indexOf(placeholder);
      at !== -1;
      at = text.indexOf(placeholder, at + placeholder.length)
    )
      found.push({ at, key, placeholder });
  return found.sort((a, b) => a.at - b.at);
}

/** Where the placeholder at `at` sits, judged from the file type and the surrounding quotes. */
function contextAt(text: string, at: number, length: number, path: string): PlacementContext {
  if (/\.(json|map|webmanifest)$/i.test(path))
    return quoteAround(text, at, length, ['"']) === '"' ? { kind: "json-string" } : { kind: "unknown" };
  if (/\.html?$/i.test(path)) {
    const open = text.lastIndexOf("<script", at);
    const inScript = open !== -1 && text.lastIndexOf("</script", at) < open;
    if (!inScript) return { kind: "html" };
    const quote = quoteAround(text, at, length, ['"', "'", "`"]);
    return quote ? { kind: "js-string", quote, inHtml: true } : { kind: "unknown" };
  }
  if (/\.(m?js|cjs|jsx)$/i.test(path)) {
    const quote = quoteAround(text, at, length, ['"', "'", "`"]);
    return quote ? { kind: "js-string", quote, inHtml: false } : { kind: "unknown" };
  }
  return { kind: "unknown" };
}

/**
 * The quote of the string literal around [at, at+length): the nearest unescaped quote before it
 * on the same line, closed by the same quote after it. Undefined when it is not inside one.
 */
function quoteAround<Q extends string>(
  text: string,
  at: number,
  length: number,
  quotes: readonly Q[],
): Q | undefined {
  let open: Q | undefined;
  for (let i = at - 1; i >= 0; i--) {
    const char = text[i]!;
    if (char === "\n") break;
    if ((quotes as readonly string[]).includes(char) && !escaped(text, i)) {
      open = char as Q;
      break;
    }
  }
  if (!open) return undefined;
  for (let i = at + length; i < text.length; i++) {
    const char = text[i]!;
    if (char === "\n" && open !== "`") return undefined;
    if (open === "`" && char === "$" && text[i + 1] === "{" && !escaped(text, i)) return open;
    if (char === open && !escaped(text, i)) return open;
  }
  return undefined;
}

function escaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && text[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Characters any context takes literally: enough for URLs, names, ids. */
const PLAIN = /^[A-Za-z0-9 :/._~%?#=&+,;@!*()[\]-]*$/;

function placeValue(
  value: string,
  context: PlacementContext,
  file: string,
  key: string,
  offset: number,
): string {
  if (value.includes("__ECHOGATE_"))
    throw new SubstitutionRefused(file, key, offset, "the value itself looks like a placeholder");
  switch (context.kind) {
    case "json-string":
      return JSON.stringify(value)
        .slice(1, -1)
        .replaceAll("\u2028", "\\u2028")
        .replaceAll("\u2029", "\\u2029");
    case "js-string":
      return jsEscape(value, context.quote, context.inHtml);
    case "html":
      return value
        .replaceAll("&", "&amp;")
        .replaceAll("<", "&lt;")
        .replaceAll(">", "&gt;")
        .replaceAll('"', "&quot;")
        .replaceAll("'", "&#39;");
    case "unknown":
      if (PLAIN.test(value)) return value;
      throw new SubstitutionRefused(
        file,
        key,
        offset,
        "the placeholder is not inside a string literal, and the value has characters that would need escaping there",
      );
  }
}

function jsEscape(value: string, quote: '"' | "'" | "`", inHtml: boolean): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    const code = char.charCodeAt(0);
    if (char === "\\") out += "\\\\";
    else if (char === quote) out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else if (code < 0x20) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (quote === "`" && char === "$" && value[i + 1] === "{") out += "\\$";
    else if (inHtml && char === "<") out += "\\x3c";
    else out += char;
  }
  return out;
}
