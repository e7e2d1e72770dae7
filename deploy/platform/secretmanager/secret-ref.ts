/** A Secret Manager secret version as Cloud Run pins it (`env[].valueSource.secretKeyRef`). */
export interface SecretRef {
  /** `projects/<project>/secrets/<id>`, or `<id>` in the service's own project. */
  secret: string;
  /** A version number, or `latest` before deploy pins it. */
  version: string;
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
