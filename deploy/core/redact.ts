import { setOwnProperty } from "./own-property.js";

/** Shorter values are not masked inside longer text: masking "1" everywhere would destroy output. */
const MIN_MASKABLE_LENGTH = 4;
export const REDACTED = "***";

/**
 * Knows every value marked secret in this run and masks it wherever it shows
 * up: human output, JSON, error messages and stack traces all pass through here.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private matcher: SecretMatcher | undefined;

  add(value: string | undefined): void {
    if (!value || value.length < MIN_MASKABLE_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    for (const form of printedForms(value)) if (form.length >= MIN_MASKABLE_LENGTH) this.secrets.add(form);
    this.matcher = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.matcher ??= new SecretMatcher(this.secrets);
    return this.matcher.mask(text);
  }

  /**
   * Deep copy with every string redacted; safe to JSON.stringify. A value with nothing to redact
   * (and no Error to turn into plain data) is returned as it is: copying it would change nothing.
   */
  redactDeep<T>(value: T): T {
    if (this.secrets.size === 0 ? !holdsError(value, new Set()) : !needsRedaction(value, this, new Set()))
      return value;
    return redactValue(value, this, new WeakMap()) as T;
  }
}

type TrieNode = Map<number, TrieNode> & { end?: boolean };

/**
 * Finds secrets in text with a character trie, ignoring case (masking a differently-cased copy
 * too is the safe side). A regex alternation of a thousand secrets costs tens of milliseconds to
 * compile on first use, and every command redacts all of its output.
 */
class SecretMatcher {
  private readonly root: TrieNode = new Map();
  /** Finds the next position where a secret may start (one of their first characters): most text is skipped by the regex engine. */
  private readonly starts: RegExp;
  /**
   * Matches text that may hold a secret: one of their first characters in any case, or any
   * non-ASCII character (whose case folding the regex engine and toLowerCase may not agree on).
   */
  private readonly mayHold: RegExp;

  constructor(secrets: Iterable<string>) {
    for (const secret of secrets) {
      const lower = secret.toLowerCase();
      let node = this.root;
      for (let at = 0; at < lower.length; at++) {
        const code = lower.charCodeAt(at);
        let next = node.get(code);
        if (!next) {
          next = new Map();
          node.set(code, next);
        }
        node = next;
      }
      node.end = true;
    }
    const firsts = [...this.root.keys()].map((code) => `\\u${code.toString(16).padStart(4, "0")}`);
    this.starts = new RegExp(`[${firsts.join("")}]`, "g");
    this.mayHold = new RegExp(`[^\\u0000-\\u007f]|[${firsts.join("")}]`, "i");
  }

  /** Replaces every secret with `***`, longest match first at each position. */
  mask(text: string): string {
    // Most strings hold no secret's first character: they are returned without being copied.
    if (!this.mayHold.test(text)) return text;
    const lower = text.toLowerCase();
    // Lowercasing can change the length (e.g. "İ"); positions must stay those of `text`.
    const haystack = lower.length === text.length ? lower : lowerKeepingLength(text);
    let out = "";
    let copied = 0;
    this.starts.lastIndex = 0;
    for (let found = this.starts.exec(haystack); found; found = this.starts.exec(haystack)) {
      const at = found.index;
      const end = this.longestMatchEnd(haystack, at);
      if (end === undefined) {
        this.starts.lastIndex = at + 1;
        continue;
      }
      out += text.slice(copied, at) + REDACTED;
      copied = end;
      this.starts.lastIndex = end;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  private longestMatchEnd(text: string, start: number): number | undefined {
    let node: TrieNode | undefined = this.root;
    let end: number | undefined;
    for (let at = start; at < text.length; at++) {
      node = node.get(text.charCodeAt(at));
      if (!node) break;
      if (node.end) end = at + 1;
    }
    return end;
  }
}

function lowerKeepingLength(text: string): string {
  let out = "";
  for (const char of text) {
    const lower = char.toLowerCase();
    out += lower.length === char.length ? lower : char;
  }
  return out;
}

/** Whether redactValue would change anything: a string it masks, or an Error it turns into plain data. */
function needsRedaction(value: unknown, redactor: Redactor, seen: Set<object>): boolean {
  if (typeof value === "string") return redactor.redact(value) !== value;
  return walksInto(value, seen, (item) => needsRedaction(item, redactor, seen));
}

function holdsError(value: unknown, seen: Set<object>): boolean {
  return walksInto(value, seen, (item) => holdsError(item, seen));
}

/** True for an Error; else whether `test` holds for an item of an array or plain object redactValue copies. */
function walksInto(value: unknown, seen: Set<object>, test: (item: unknown) => boolean): boolean {
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Error) return true;
  if (Array.isArray(value)) return value.some(test);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) if (test((value as Record<string, unknown>)[key])) return true;
  return false;
}

function redactValue(value: unknown, redactor: Redactor, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === "string") return redactor.redact(value);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return seen.get(value);
  if (value instanceof Error) {
    const copy: Record<string, unknown> = {
      name: value.name,
      message: redactor.redact(value.message),
    };
    if (value.stack) copy.stack = redactor.redact(value.stack);
    seen.set(value, copy);
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redactValue(item, redactor, seen));
    return copy;
  }
  // Dates, Maps and other class instances are not copied: renderers may need their methods, and
  // whatever they print still passes through redact() on its way out.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const key of Object.keys(value)) {
    setOwnProperty(copy, key, redactValue((value as Record<string, unknown>)[key], redactor, seen));
  }
  return copy;
}

/** Shorter lines of a multi-line secret, and PEM armor lines ("-----END KEY-----"), are not secret. */
const MIN_SECRET_LINE_LENGTH = 12;
const PEM_ARMOR = /^-{5}[A-Z0-9 ]+-{5}$/;

/**
 * How a secret may appear in output besides verbatim (in any case): escaped (quoted in a message
 * or JSON), line by line (a PEM body printed with its newlines shown as \n), and a URL's host.
 */
function printedForms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  const lines = value.includes("\n")
    ? value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line.length >= MIN_SECRET_LINE_LENGTH && !PEM_ARMOR.test(line))
    : [];
  return [escaped, ...lines, ...secretUrlParts(value)];
}

/**
 * The parts of a secret URL that messages print on their own: its host (when it names a real
 * machine, not loopback, which would mask too much) and its credentials.
 */
function secretUrlParts(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || !URL.canParse(value)) return [];
  const url = new URL(value);
  const parts: string[] = [];
  if (url.hostname.includes(".") && !/^(localhost|127\.|\[?::1)/.test(url.hostname)) parts.push(url.hostname);
  if (url.password) parts.push(url.password, decodeURIComponent(url.password));
  if (url.username && url.password) parts.push(`${url.username}:${url.password}`);
  return parts;
}
