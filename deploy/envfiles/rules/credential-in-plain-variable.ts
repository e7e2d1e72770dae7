import type { Diagnostic } from "../../core/diagnostics.js";
import { credentialLikeValue } from "../credential-patterns.js";
import { diagnostic, entryLocation, type Rule, withEnvFiles } from "./types.js";

/**
 * A variable that is neither secret nor public goes into the Cloud Run service spec as plain text,
 * readable by anyone who can read the service. A credential-looking value there is said, by value,
 * whatever the variable's name. (Public variables have their own, stricter rule.)
 */
export const credentialInPlainVariable: Rule = {
  name: "credential-in-plain-variable",
  check(ctx) {
    const problems: Diagnostic[] = [];
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const [key, entry] of envFile.entries) {
        const spec = ctx.schema.variables.get(key);
        if (spec?.secret || spec?.public) continue;
        const why = credentialLikeValue(entry.value);
        if (!why) continue;
        problems.push(
          diagnostic(
            "credential-in-plain-variable",
            `${key} in ${environment.name} looks like a credential (${why}; value hidden), but it is not declared secret: it would be written in plain text into the Cloud Run service spec.`,
            entryLocation(envFile, key),
            `Declare ${key} with \`secret: true\` in env.schema.yaml (it then goes through Secret Manager), or ignore this if the value is not a credential.`,
            "warning",
          ),
        );
      }
    }
    return problems;
  },
};
