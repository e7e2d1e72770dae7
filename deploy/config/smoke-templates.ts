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
  if (typeof value === "string") {
    return value.replace(TEMPLATE, (whole, name: string) =>
      name in vars ? vars[name as TemplateName] : whole,
    ) as T;
  }
  if (Array.isArray(value)) return value.map((item) => expandTemplates(item, vars)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandTemplates(item, vars)]),
    ) as T;
  }
  return value;
}
