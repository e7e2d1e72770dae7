import type * as z from "zod";
import type { Diagnostics } from "../core/diagnostics.js";
import { closest } from "../core/did-you-mean.js";
import { knownKeysAt } from "./schema-keys.js";
import type { YamlSource } from "./yaml-source.js";

/**
 * Turns every zod issue into a positioned diagnostic (all at once, not the first one). With the
 * schema, an unknown key that is a typo of a known one gets a did-you-mean hint.
 */
export function addZodIssues(
  diagnostics: Diagnostics,
  source: YamlSource,
  issues: readonly z.core.$ZodIssue[],
  schema?: z.core.$ZodType,
): void {
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        diagnostics.error(
          "config.unknown-key",
          `Unknown key "${key}".`,
          source.locate([...path, key], { key: true }),
          unknownKeyHint(key, path, schema),
        );
      }
      continue;
    }
    if (issue.code === "invalid_key") {
      const reason = issue.issues.map((inner) => inner.message).join("; ");
      diagnostics.error(
        "config.invalid-key",
        `Can't use "${String(path.at(-1))}" as a name here: ${reason}.`,
        source.locate(path, { key: true }),
      );
      continue;
    }
    if (
      (issue.code === "invalid_type" || issue.code === "invalid_value") &&
      isMissingKey(source.value, path)
    ) {
      const parent = path.slice(0, -1);
      const expected =
        issue.code === "invalid_type" ? issue.expected : `one of ${issue.values.map(String).join(", ")}`;
      diagnostics.error(
        "config.missing-key",
        `Missing required key "${String(path.at(-1))}"${parent.length ? ` in ${parent.join(".")}` : ""} (expected ${expected}).`,
        parent.length ? source.locate(parent, { key: true }) : source.locate([]),
      );
      continue;
    }
    diagnostics.error(`config.${issue.code.replaceAll("_", "-")}`, issue.message, source.locate(path));
  }
}

/** True when the parent of `path` is a mapping without that key (not a key holding a wrong value). */
function isMissingKey(root: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== "object" || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  return typeof parent === "object" && parent !== null && !(path.at(-1)! in parent);
}

/** "Did you mean …?" for a typo, else the keys allowed there. */
function unknownKeyHint(
  key: string,
  path: readonly PropertyKey[],
  schema: z.core.$ZodType | undefined,
): string | undefined {
  if (!schema) return undefined;
  const known = knownKeysAt(schema, path);
  if (known.length === 0) return undefined;
  const suggestion = closest(key, known);
  if (suggestion) return `Did you mean "${suggestion}"?`;
  return `Keys allowed here: ${known.join(", ")}.`;
}
