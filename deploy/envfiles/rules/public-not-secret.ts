import type { Diagnostic } from "../../core/diagnostics.js";
import { credentialLikeValue, looksLikeCredentialName } from "../credential-patterns.js";
import { diagnostic, entryLocation, type Rule, type RuleContext, withEnvFiles } from "./types.js";

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
    const secretValues = declaredSecretValues(ctx);
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const key of publicKeys) {
        const entry = envFile.entries.get(key);
        if (!entry) continue;
        // A variable both public and secret is already reported above, at the schema.
        const leaked = [...secretValues].find(
          ([value, owner]) => owner !== key && entry.value.includes(value),
        );
        const why = leaked
          ? `it contains the value of secret ${leaked[1]}`
          : credentialLikeValue(entry.value);
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

/** Values too short to be a meaningful secret ("true", a port) are not looked for. */
const MIN_SECRET_VALUE_LENGTH = 6;

/** Every value a secret variable holds in any environment, with the variable's name. */
function declaredSecretValues(ctx: RuleContext): Map<string, string> {
  const values = new Map<string, string>();
  for (const { envFile } of withEnvFiles(ctx)) {
    for (const [key, spec] of ctx.schema.variables) {
      const value = spec.secret ? envFile.entries.get(key)?.value : undefined;
      if (value && value.length >= MIN_SECRET_VALUE_LENGTH) values.set(value, key);
    }
  }
  return values;
}
