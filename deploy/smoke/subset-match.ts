/**
 * True when every key of `expected` is present in `actual` with a matching
 * value, recursively. Arrays match element by element and must be the same
 * length; primitives must be strictly equal. An object whose keys are all
 * operators tests the value instead: `$contains` (an array element matches),
 * `$gt`/`$gte`/`$lt`/`$lte` (numbers), `$exists` (present or not).
 */
export function subsetMatch(actual: unknown, expected: unknown): boolean {
  const operators = operatorsOf(expected);
  if (operators) return operators.every(([op, operand]) => applyOperator(op, actual, operand));
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
    return Object.entries(expected).every(([key, value]) => {
      const exists = operatorsOf(value)?.find(([op]) => op === "$exists");
      if (exists && exists[1] === false) return !Object.hasOwn(record, key) || record[key] === undefined;
      return Object.hasOwn(record, key) && subsetMatch(record[key], value);
    });
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

const OPERATORS = new Set(["$contains", "$gt", "$gte", "$lt", "$lte", "$exists"]);

function operatorsOf(expected: unknown): Array<[string, unknown]> | undefined {
  if (expected === null || typeof expected !== "object" || Array.isArray(expected)) return undefined;
  const entries = Object.entries(expected);
  if (entries.length === 0 || !entries.every(([key]) => OPERATORS.has(key))) return undefined;
  return entries;
}

function applyOperator(op: string, actual: unknown, operand: unknown): boolean {
  switch (op) {
    case "$exists":
      return (actual !== undefined) === (operand !== false);
    case "$contains":
      return Array.isArray(actual) && actual.some((item) => subsetMatch(item, operand));
    default: {
      if (typeof actual !== "number" || typeof operand !== "number") return false;
      if (op === "$gt") return actual > operand;
      if (op === "$gte") return actual >= operand;
      if (op === "$lt") return actual < operand;
      return actual <= operand;
    }
  }
}
