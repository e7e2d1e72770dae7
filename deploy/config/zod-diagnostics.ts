import type { z } from "zod";
import type { Diagnostics } from "../core/diagnostics.js";
import type { YamlSource } from "./yaml-source.js";

/** Turns every zod issue into a positioned diagnostic (all at once, not the first one). */
export function addZodIssues(
  diagnostics: Diagnostics,
  source: YamlSource,
  issues: readonly z.core.$ZodIssue[],
): void {
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        diagnostics.error(
          "config.unknown-key",
          `Unknown key "${key}".`,
          source.locate([...path, key], { key: true }),
        );
      }
      continue;
    }
    diagnostics.error(`config.${issue.code.replaceAll("_", "-")}`, issue.message, source.locate(path));
  }
}
