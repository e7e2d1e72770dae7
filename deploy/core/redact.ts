/** Shorter values are not masked inside longer text: masking "1" everywhere would destroy output. */
const MIN_MASKABLE_LENGTH = 4;
export const REDACTED = "***";

/**
 * Knows every value marked secret in this run and masks it wherever it shows
 * up: human output, JSON, error messages and stack traces all pass through here.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (!value || value.length < MIN_MASKABLE_LENGTH || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.pattern = undefined;
    for (const form of printedForms(value)) if (form.length >= MIN_MASKABLE_LENGTH) this.secrets.add(form);
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.pattern ??= buildPattern(this.secrets);
    return text.replace(this.pattern, REDACTED);
  }

  /** Deep copy with every string redacted; safe to JSON.stringify. */
  redactDeep<T>(value: T): T {
    return redactValue(value, this, new WeakMap()) as T;
  }
}

function buildPattern(secrets: Set<string>): RegExp {
  // Longest first so a secret containing another is masked whole.
  const alternatives = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(alternatives.join("|"), "g");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, redactor, seen);
  return copy;
}

/** Shorter lines of a multi-line secret, and PEM armor lines ("-----END KEY-----"), are not secret. */
const MIN_SECRET_LINE_LENGTH = 12;
const PEM_ARMOR = /^-{5}[A-Z0-9 ]+-{5}$/;

/**
 * How a secret may appear in output besides verbatim: lowercased (URL hosts), escaped (quoted in a
 * message or JSON), and line by line (a PEM body printed with its newlines shown as \n).
 */
function printedForms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  const lines = value.includes("\n")
    ? value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line.length >= MIN_SECRET_LINE_LENGTH && !PEM_ARMOR.test(line))
    : [];
  const host = secretUrlHost(value);
  return [value.toLowerCase(), escaped, ...lines, ...(host ? [host] : [])];
}

/** The host of a secret URL, when it names a real machine (not loopback, which would mask too much). */
function secretUrlHost(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const host = new URL(value).hostname;
    return host.includes(".") && !/^(localhost|127\.|\[?::1)/.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}
