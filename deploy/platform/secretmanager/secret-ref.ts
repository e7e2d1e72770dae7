/** A Secret Manager secret version as Cloud Run pins it (`env[].valueSource.secretKeyRef`). */
export interface SecretRef {
  /** `projects/<project>/secrets/<id>`, or `<id>` in the service's own project. */
  secret: string;
  /** A version number, or `latest` before deploy pins it. */
  version: string;
}

/**
 * A reference written in an env file instead of a value:
 *   KEY=secretmanager:<id>[:<version>]   or   KEY=secretmanager:projects/<project>/secrets/<id>[:<version>]
 * Without a version, or with `latest`, deploy pins the version that is latest at that moment.
 */
export const SECRET_REFERENCE_PREFIX = "secretmanager:";
const REFERENCE =
  /^secretmanager:((?:projects\/[a-z0-9][a-z0-9.:-]*\/secrets\/)?[A-Za-z0-9_-]{1,255})(?::(\d+|latest))?$/;

export function isSecretReference(value: string): boolean {
  return value.startsWith(SECRET_REFERENCE_PREFIX);
}

/** The reference written in `value`, or undefined when it is not one (or malformed). */
export function parseSecretReference(value: string): SecretRef | undefined {
  const match = REFERENCE.exec(value);
  return match ? { secret: match[1]!, version: match[2] ?? "latest" } : undefined;
}

/** `projects/<project>/secrets/<id>` for a reference that may name only the id. */
export function qualifiedSecretName(secret: string, project: string): string {
  return secret.startsWith("projects/") ? secret : `projects/${project}/secrets/${secret}`;
}

/** The secret echogate manages for one variable of one service: `<service>-<KEY>` (ids allow [A-Za-z0-9_-]). */
export function managedSecretId(service: string, key: string): string {
  return `${service}-${key}`;
}

/** How drift and status show a pinned secret: its name and version, never its value. */
export function formatSecretRef(ref: SecretRef): string {
  return `${ref.secret}@${ref.version}`;
}
