import { setOwnProperty } from "../core/own-property.js";
import { REDACTED } from "../core/redact.js";
import type { EnvSchema } from "./load-schema.js";
import type { EnvironmentFacts } from "./rules/types.js";

export interface MatrixVariable {
  key: string;
  declared: boolean;
  public: boolean;
  secret: boolean;
}

/** KEY → environment → value, `***` for secrets and undeclared keys, null when the file doesn't set it. */
export type Matrix = Record<string, Record<string, string | null>>;

/**
 * Values pass the redactor on output, like everything else. An undeclared key's value is never
 * shown: nobody said whether it is secret.
 * Declared keys first, in schema order, then undeclared ones. Without a usable
 * schema nobody can tell which values are secret, so every value is masked.
 */
export function buildMatrix(
  environments: readonly EnvironmentFacts[],
  schema: EnvSchema | undefined,
  secretKeys: ReadonlySet<string>,
): { variables: MatrixVariable[]; matrix: Matrix } {
  const keys = new Set<string>(schema?.variables.keys() ?? []);
  const undeclared = new Set<string>();
  for (const environment of environments) {
    for (const key of environment.envFile?.entries.keys() ?? []) if (!keys.has(key)) undeclared.add(key);
  }
  const variables: MatrixVariable[] = [...keys, ...[...undeclared].sort()].map((key) => {
    const spec = schema?.variables.get(key);
    return { key, declared: spec !== undefined, public: spec?.public ?? false, secret: secretKeys.has(key) };
  });
  // Keys come from user files: setOwnProperty keeps `__proto__` a key. Plain objects, not
  // null-prototype ones: V8 keeps those in dictionary mode, and every reader walks 10 000 cells.
  const matrix: Matrix = {};
  for (const variable of variables) {
    const row: Record<string, string | null> = {};
    const hidden = variable.secret || !variable.declared || !schema;
    for (const environment of environments) {
      const value = environment.envFile?.entries.get(variable.key)?.value;
      setOwnProperty(row, environment.name, value === undefined ? null : hidden ? REDACTED : value);
    }
    setOwnProperty(matrix, variable.key, row);
  }
  return { variables, matrix };
}
