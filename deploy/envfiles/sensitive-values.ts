import type { Redactor } from "../core/redact.js";
import { credentialLikeValue, looksLikeCredentialName } from "./credential-patterns.js";

/** Values too plain to mask everywhere (masking "true" would blank every "true" in the output). */
const PLAIN_VALUE = /^(?:true|false|yes|no|on|off|null|none|-?\d+(?:\.\d+)?)$/i;
const MIN_NAMED_CREDENTIAL_LENGTH = 8;

/**
 * True when a value must never be printed: the key is marked secret, the value looks like a
 * credential (a known token prefix, a random-looking token), or the key's name says it holds one
 * (STRIPE_SECRET, API_KEY) and the value is more than a flag or a number.
 */
function isSensitive(key: string, value: string, secretKeys: ReadonlySet<string>): boolean {
  if (secretKeys.has(key)) return true;
  if (credentialLikeValue(value)) return true;
  return (
    looksLikeCredentialName(key) && value.length >= MIN_NAMED_CREDENTIAL_LENGTH && !PLAIN_VALUE.test(value)
  );
}

/** Registers every sensitive value of an env file with the redactor, before anything is printed. */
export function registerSensitiveValues(
  redactor: Redactor,
  entries: Iterable<{ key: string; value: string }>,
  secretKeys: ReadonlySet<string>,
): void {
  for (const { key, value } of entries) if (isSensitive(key, value, secretKeys)) redactor.add(value);
}
