/**
 * True when every key of `expected` is present in `actual` with a matching
 * value, recursively. Arrays match element by element and must be the same
 * length; primitives must be strictly equal.
 */
export function subsetMatch(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, index) => subsetMatch(actual[index], item))
    );
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(
      ([key, value]) => Object.hasOwn(record, key) && subsetMatch(record[key], value),
    );
  }
  return actual === expected;
}

/** The value at a dot path (`build.version`), or undefined when any step is missing. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    const record = current as Record<string, unknown>;
    if (!Object.hasOwn(record, key)) return undefined;
    current = record[key];
  }
  return current;
}
