import type { JsonObject } from "./state-types.js";

// google.protobuf.FieldMask applied to JSON: each path (already split and checked against the
// descriptor) takes the request's value, or clears the field when the request leaves it out.
// A nested path (`template.containers`) replaces that field only, not its parent.

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export function applyFieldMask(
  current: JsonObject,
  incoming: JsonObject,
  paths: readonly string[][],
): JsonObject {
  const merged = structuredClone(current);
  for (const path of paths) {
    const value = valueAt(incoming, path);
    let target = merged;
    for (const part of path.slice(0, -1)) {
      if (!isObject(target[part])) target[part] = {};
      target = target[part] as JsonObject;
    }
    const last = path.at(-1)!;
    if (value === undefined) delete target[last];
    else target[last] = structuredClone(value);
  }
  return merged;
}

function valueAt(source: JsonObject, path: readonly string[]): unknown {
  let value: unknown = source;
  for (const part of path) {
    if (!isObject(value)) return undefined;
    value = value[part];
  }
  return value;
}
