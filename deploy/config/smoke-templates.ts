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

/** Deep copy with every string's templates replaced; only strings change, keys stay as written. */
export function expandTemplates<T>(value: T, vars: TemplateVars): T {
  return expandWith(value, (name) => (name in vars ? vars[name as TemplateName] : undefined));
}

/** The template names a string uses, in order. */
export function templatesIn(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((match) => match[1]!);
}

/**
 * Deep copy with templates replaced by `lookup` (unknown names stay as written). A string that is
 * exactly one template takes the value itself, so a captured number stays a number.
 */
export function expandWith<T>(value: T, lookup: (name: string) => unknown): T {
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
    const whole = /^\{\{\s*([^{}\s]*)\s*\}\}$/.exec(value);
    if (whole) {
      const found = lookup(whole[1]!);
      return (found === undefined ? value : found) as T;
    }
    return value.replace(TEMPLATE, (text, name: string) => {
      const found = lookup(name);
      if (found === undefined) return text;
      return typeof found === "string" ? found : JSON.stringify(found);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => expandWith(item, lookup)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandWith(item, lookup)]),
    ) as T;
  }
  return value;
}
