/**
 * A Secret Manager reference written in an env file instead of a value (secret variables only):
 *   KEY=secretmanager:<id>[:<version>]   or   KEY=secretmanager:projects/<project>/secrets/<id>[:<version>]
 * Without a version, or with `latest`, deploy pins the version that is latest at that moment.
 */
export const SECRET_REFERENCE_PREFIX = "secretmanager:";
const REFERENCE =
  /^secretmanager:((?:projects\/[a-z0-9][a-z0-9.:-]*\/secrets\/)?[A-Za-z0-9_-]{1,255})(?::(\d+|latest))?$/;

export function isSecretReference(value: string): boolean {
  return value.startsWith(SECRET_REFERENCE_PREFIX);
}

/** The secret and version a reference names, or undefined when `value` is not a well-formed one. */
export function parseSecretReference(value: string): { secret: string; version: string } | undefined {
  const match = REFERENCE.exec(value);
  return match ? { secret: match[1]!, version: match[2] ?? "latest" } : undefined;
}
