import { setOwnProperty } from "../core/own-property.js";

/** `{{name}}` placeholders in spec strings; whitespace inside the braces is allowed. */
const TEMPLATE = /\{\{\s*([^{}\s]*)\s*\}\}/g;

export const templateNames = ["room", "nonce", "client"] as const;
type TemplateName = (typeof templateNames)[number];
export type TemplateVars = Record<TemplateName, string>;

interface TemplateProblem {
  path: PropertyKey[];
  message: string;
}

/** Every `{{name}}` that is not a known template, with the key path of the string holding it. */
export function templateProblems(value: unknown, path: PropertyKey[] = []): TemplateProblem[] {
  if (typeof value === "string") {
    const unknown = [...value.matchAll(TEMPLATE)]
      .map((match) => match[1]!)
      .filter((name) => !(templateNames as readonly string[]).includes(name));
    return unknown.map((name) => ({
      path,
      message: `Can't expand {{${name}}}: the templates are ${templateNames.map((n) => `{{${n}}}`).join(", ")}`,
    }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => templateProblems(item, [...path, index]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => templateProblems(item, [...path, key]));
  }
  return [];
}

/** Every string's templates replaced; only strings change, keys stay as written. */
export function expandTemplates<T>(value: T, vars: TemplateVars): T {
  return expandWith(value, (name) => (name in vars ? vars[name as TemplateName] : undefined));
}

/** The template names a string uses, in order. */
export function templatesIn(text: string): string[] {
  if (!text.includes("{{")) return [];
  return [...text.matchAll(TEMPLATE)].map((match) => match[1]!);
}

type Lookup = (name: string) => unknown;
type Expander = (lookup: Lookup) => unknown;

/**
 * How to expand each object or array seen so far (null: nothing in it has a template). Specs are
 * parsed once and expanded for every client and step of every run, so the walk that finds the
 * templates happens once per spec object, not per expansion. The cache assumes what it holds is
 * not mutated afterwards, as parsed specs are not.
 */
const expanders = new WeakMap<object, Expander | null>();

/**
 * The value with templates replaced by `lookup` (unknown names stay as written). A string that is
 * exactly one template takes the value itself, so a captured number stays a number. Objects and
 * arrays that hold a template are new; parts without one are the original values, shared.
 */
export function expandWith<T>(value: T, lookup: Lookup): T {
  const expander = expanderOf(value);
  return (expander ? expander(lookup) : value) as T;
}

function expanderOf(value: unknown): Expander | null {
  if (typeof value === "string") return stringExpander(value);
  if (value === null || typeof value !== "object") return null;
  let expander = expanders.get(value);
  if (expander === undefined) {
    expander = Array.isArray(value) ? arrayExpander(value) : objectExpander(value);
    expanders.set(value, expander);
  }
  return expander;
}

function arrayExpander(items: readonly unknown[]): Expander | null {
  const parts = items.map(expanderOf);
  if (parts.every((part) => part === null)) return null;
  return (lookup) =>
    items.map((item, index) => {
      const part = parts[index];
      return part ? part(lookup) : item;
    });
}

function objectExpander(value: object): Expander | null {
  const entries = Object.entries(value).map(([key, item]) => ({ key, item, expand: expanderOf(item) }));
  if (entries.every((entry) => entry.expand === null)) return null;
  return (lookup) => {
    const out: Record<string, unknown> = {};
    for (const { key, item, expand } of entries) {
      const expanded = expand ? expand(lookup) : item;
      setOwnProperty(out, key, expanded);
    }
    return out;
  };
}

function stringExpander(text: string): Expander | null {
  if (!text.includes("{{")) return null;
  const whole = /^\{\{\s*([^{}\s]*)\s*\}\}$/.exec(text);
  if (whole) {
    const name = whole[1]!;
    return (lookup) => {
      const found = lookup(name);
      return found === undefined ? text : found;
    };
  }
  // Split once: text between the templates, and each template as written and by name.
  const literals: string[] = [];
  const templates: Array<{ written: string; name: string }> = [];
  let end = 0;
  for (const match of text.matchAll(TEMPLATE)) {
    literals.push(text.slice(end, match.index));
    templates.push({ written: match[0], name: match[1]! });
    end = match.index + match[0].length;
  }
  const tail = text.slice(end);
  return (lookup) => {
    let out = "";
    for (let index = 0; index < templates.length; index++) {
      const { written, name } = templates[index]!;
      const found = lookup(name);
      out += literals[index]!;
      out += found === undefined ? written : typeof found === "string" ? found : JSON.stringify(found);
    }
    return out + tail;
  };
}
