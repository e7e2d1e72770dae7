import type { Diagnostic } from "../../core/diagnostics.js";
import { credentialLikeValue, looksLikeCredentialName } from "../credential-patterns.js";
import { diagnostic, entryLocation, type Rule, withEnvFiles } from "./types.js";

/** Public variables go to the browser: never secret, never credential-shaped. */
export const publicNotSecret: Rule = {
  name: "public-not-secret",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const publicKeys: string[] = [];
    for (const [key, spec] of ctx.schema.variables) {
      if (!spec.public) continue;
      publicKeys.push(key);
      if (spec.secret) {
        problems.push(
          diagnostic(
            "public-not-secret",
            `Can't mark ${key} both public and secret: public values are shipped to every browser.`,
            ctx.schema.locate(key, "public"),
            "Keep the secret on the server (drop `public: true`), or drop `secret: true` if it is really public.",
          ),
        );
      } else if (looksLikeCredentialName(key)) {
        problems.push(
          diagnostic(
            "public-not-secret.name",
            `${key} is public but its name looks like a credential.`,
            ctx.schema.locate(key),
            "Make sure it is meant for the browser (e.g. a restricted web API key); otherwise keep it server-side.",
            "warning",
          ),
        );
      }
    }
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const key of publicKeys) {
        const entry = envFile.entries.get(key);
        const why = entry ? credentialLikeValue(entry.value) : undefined;
        if (!why) continue;
        problems.push(
          diagnostic(
            "public-not-secret.value",
            `Can't ship ${key} to the browser in ${environment.name}: ${why} (value hidden).`,
            entryLocation(envFile, key),
            "Move the credential to a server-only (secret) variable and rotate it if it was ever deployed.",
          ),
        );
      }
    }
    return problems;
  },
};
