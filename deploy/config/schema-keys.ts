import type * as z from "zod";

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  in?: AnySchema;
  out?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  valueType?: AnySchema;
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object schemas a value at this schema may be, wrappers (optional, default, pipe, union) removed. */
function objectsOf(schema: AnySchema, depth = 0): Array<Record<string, AnySchema>> {
  if (depth > 20) return [];
  const def = defOf(schema);
  if (def.type === "object" && def.shape) return [def.shape];
  if (def.innerType) return objectsOf(def.innerType, depth + 1);
  if (def.type === "pipe" && def.in) return objectsOf(def.in, depth + 1);
  if (def.type === "union" && def.options)
    return def.options.flatMap((option) => objectsOf(option, depth + 1));
  return [];
}

/** The schema of the value one step down `key` (an object key or an array index). */
function childOf(schema: AnySchema, key: PropertyKey, depth = 0): AnySchema[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  if (def.innerType) return childOf(def.innerType, key, depth + 1);
  if (def.type === "pipe" && def.in) return childOf(def.in, key, depth + 1);
  if (def.type === "union" && def.options)
    return def.options.flatMap((option) => childOf(option, key, depth + 1));
  if (def.type === "array" && def.element && typeof key === "number") return [def.element];
  if (def.type === "record" && def.valueType) return [def.valueType];
  if (def.type === "object" && def.shape && typeof key === "string" && def.shape[key])
    return [def.shape[key]];
  return [];
}

/** Every key a mapping at `path` may hold, by the schema: the candidates for a did-you-mean. */
export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let level: AnySchema[] = [schema];
  for (const key of path) level = level.flatMap((candidate) => childOf(candidate, key));
  return [
    ...new Set(level.flatMap((candidate) => objectsOf(candidate).flatMap((shape) => Object.keys(shape)))),
  ];
}
