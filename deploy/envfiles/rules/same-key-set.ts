import type { Diagnostic } from "../../core/diagnostics.js";
import { isRequired } from "../schema.js";
import { diagnostic, type Rule, withEnvFiles } from "./types.js";

/**
 * Every environment sets the same declared keys, except `environmentSpecific`
 * ones. Required keys missing are reported by value-types, not twice here.
 */
export const sameKeySet: Rule = {
  name: "same-key-set",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const files = withEnvFiles(ctx).filter(({ envFile }) => envFile.complete);
    for (const [key, spec] of ctx.schema.variables) {
      if (spec.environmentSpecific || isRequired(spec)) continue;
      const having = files.filter(({ envFile }) => envFile.entries.has(key));
      if (having.length === 0 || having.length === files.length) continue;
      const example = having[0]!;
      const where = `${example.envFile.file}:${example.envFile.entries.get(key)!.line}`;
      const others = having.map(({ environment }) => environment.name).join(", ");
      for (const { environment, envFile } of files) {
        if (envFile.entries.has(key)) continue;
        problems.push(
          diagnostic(
            "same-key-set",
            `Can't find ${key} in ${envFile.file} (${environment.name}), but ${others} set it (${where}).`,
            { file: envFile.file, keyPath: key },
            `Add ${key} to ${envFile.file}, or mark it \`environmentSpecific: true\` in ${ctx.schema.file} if it may differ.`,
          ),
        );
      }
    }
    return problems;
  },
};
