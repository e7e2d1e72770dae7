import type { Diagnostic } from "../../core/diagnostics.js";
import { groupBy } from "../../core/group-by.js";
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
        const leaked = secretValues.foundIn(entry.value, key);
        const why = leaked ? `it contains the value of secret ${leaked}` : credentialLikeValue(entry.value);
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

/**
 * Every value a secret variable holds in any environment, indexed by its first characters so a
 * public value is searched in one pass (50 environments × 20 secrets would be 1000 scans each).
 */
function declaredSecretValues(ctx: RuleContext): {
  foundIn(text: string, except: string): string | undefined;
} {
  const secrets: { value: string; key: string }[] = [];
  for (const { envFile } of withEnvFiles(ctx)) {
    for (const [key, spec] of ctx.schema.variables) {
      const value = spec.secret ? envFile.entries.get(key)?.value : undefined;
      if (value && value.length >= MIN_SECRET_VALUE_LENGTH) secrets.push({ value, key });
    }
  }
  const byPrefix = groupBy(secrets, (secret) => secret.value.slice(0, MIN_SECRET_VALUE_LENGTH));
  // Positions whose character starts no secret are passed over without slicing the text.
  const firstCodes = new Set([...byPrefix.keys()].map((prefix) => prefix.charCodeAt(0)));
  return {
    foundIn(text, except) {
      for (let at = 0; at + MIN_SECRET_VALUE_LENGTH <= text.length; at++) {
        if (!firstCodes.has(text.charCodeAt(at))) continue;
        const candidates = byPrefix.get(text.slice(at, at + MIN_SECRET_VALUE_LENGTH)) ?? [];
        // A variable both public and secret is already reported at the schema.
        const hit = candidates.find((c) => c.key !== except && text.startsWith(c.value, at));
        if (hit) return hit.key;
      }
      return undefined;
    },
  };
}
