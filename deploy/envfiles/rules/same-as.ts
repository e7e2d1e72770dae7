import type { Diagnostic } from "../../core/diagnostics.js";
import { diagnostic, entryLocation, type Rule, withEnvFiles } from "./types.js";

/** A variable with `sameAs: OTHER` holds the same value as OTHER in every environment. */
export const sameAs: Rule = {
  name: "same-as",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const pairs = [...ctx.schema.variables].flatMap(([key, spec]) =>
      spec.sameAs ? [{ key, sameAs: spec.sameAs }] : [],
    );
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const { key, sameAs } of pairs) {
        const entry = envFile.entries.get(key);
        const other = envFile.entries.get(sameAs);
        if (!entry || !other || entry.value === other.value) continue;
        problems.push(
          diagnostic(
            "same-as",
            `Can't have ${key} differ from ${sameAs} in ${environment.name} (line ${other.line}): the schema says they are the same.`,
            entryLocation(envFile, key),
            `Set ${key} to the value of ${sameAs}.`,
          ),
        );
      }
    }
    return problems;
  },
};
