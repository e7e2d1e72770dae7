import { summarizeMessage } from "../echo/diagnose.js";
import { subsetMatch } from "../subset-match.js";

/**
 * Why `actual` does not match `expected` (subsetMatch's rules), as one phrase naming the first
 * place that differs: `messages has no element matching {"text":"hi"} (it has 0)`. Undefined when
 * it matches.
 */
export function explainMismatch(actual: unknown, expected: unknown, path = ""): string | undefined {
  if (subsetMatch(actual, expected)) return undefined;
  const where = path === "" ? "the value" : path;
  const shown = (value: unknown) => summarizeMessage(undefined, value, 80);
  const operators = operatorEntries(expected);
  if (operators) {
    for (const [op, operand] of operators) {
      if (subsetMatch(actual, { [op]: operand })) continue;
      if (op === "$exists") return operand === false ? `${where} is present` : `${where} is missing`;
      if (op === "$contains") {
        if (!Array.isArray(actual)) return `${where} is not an array (${shown(actual)})`;
        return `${where} has no element matching ${shown(operand)} (it has ${actual.length})`;
      }
      const words: Record<string, string> = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" };
      return `${where} is ${shown(actual)}, not ${words[op]} ${shown(operand)}`;
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where} is not an array (${shown(actual)})`;
    if (actual.length !== expected.length)
      return `${where} has ${actual.length} elements, not ${expected.length}`;
    for (const [index, item] of expected.entries()) {
      const inner = explainMismatch(actual[index], item, `${path}[${index}]`);
      if (inner) return inner;
    }
  }
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual))
      return `${where} is ${shown(actual)}, not an object`;
    const record = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      const inner = explainMismatch(
        Object.hasOwn(record, key) ? record[key] : undefined,
        value,
        path ? `${path}.${key}` : key,
      );
      if (inner) return inner;
    }
  }
  if (actual === undefined) return `${where} is missing`;
  return `${where} is ${shown(actual)}, not ${shown(expected)}`;
}

function operatorEntries(expected: unknown): Array<[string, unknown]> | undefined {
  if (expected === null || typeof expected !== "object" || Array.isArray(expected)) return undefined;
  const entries = Object.entries(expected);
  return entries.length > 0 && entries.every(([key]) => key.startsWith("$")) ? entries : undefined;
}
