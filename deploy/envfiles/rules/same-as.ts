import type { Diagnostic } from "../../core/diagnostics.js";
import { diagnostic, entryLocation, type Rule, withEnvFiles } from "./types.js";

/** A variable with `sameAs: OTHER` holds the same value as OTHER in every environment. */
export const sameAs: Rule = {
  name: "same-as",
  check(ctx) {
    const problems: Diagnostic[] = [];
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const [key, spec] of ctx.schema.variables) {
        if (!spec.sameAs) continue;
        const entry = envFile.entries.get(key);
        const other = envFile.entries.get(spec.sameAs);
        if (!entry || !other || entry.value === other.value) continue;
        problems.push(
          diagnostic(
            "same-as",
            `Can't have ${key} differ from ${spec.sameAs} in ${environment.name} (line ${other.line}): the schema says they are the same.`,
            entryLocation(envFile, key),
            `Set ${key} to the value of ${spec.sameAs}.`,
          ),
        );
      }
    }
    return problems;
  },
};
