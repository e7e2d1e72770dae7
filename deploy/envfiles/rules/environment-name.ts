import type { Diagnostic } from "../../core/diagnostics.js";
import { diagnostic, entryLocation, quoteValue, type Rule, withEnvFiles } from "./types.js";

/** The `environmentName` key (e.g. BUILD_TARGET) equals the environment's name. */
export const environmentName: Rule = {
  name: "environment-name",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const keys = [...ctx.schema.variables].filter(([, spec]) => spec.environmentName).map(([key]) => key);
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const key of keys) {
        const entry = envFile.entries.get(key);
        if (!entry || entry.value === environment.name) continue;
        problems.push(
          diagnostic(
            "environment-name",
            `Can't use ${key}=${quoteValue(entry.value)} in ${environment.name}: it must equal the environment's name.`,
            entryLocation(envFile, key),
            `Set ${key}=${environment.name} in ${envFile.file} (the name comes from ${environment.file}).`,
          ),
        );
      }
    }
    return problems;
  },
};
