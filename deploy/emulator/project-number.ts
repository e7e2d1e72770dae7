import { createHash } from "node:crypto";

// Google gives every project a number besides its id; Cloud Run puts it in the deterministic
// service URL, the default runtime service account and the metadata server's answers. The
// emulator has no Resource Manager to ask, so a project id maps to a stable 12-digit number
// (a numeric "id" is already a number: the API takes either in resource names).

export function projectNumberOf(project: string): string {
  if (/^\d+$/.test(project)) return project;
  const hash = createHash("sha256").update(`project:${project}`).digest();
  return String(100_000_000_000 + ((hash.readUInt32BE(0) * 65_536 + hash.readUInt16BE(4)) % 900_000_000_000));
}

/**
 * "If not provided, the revision will use the project's default service account"
 * (RevisionTemplate.service_account): the Compute Engine default service account.
 */
export function defaultServiceAccountOf(project: string): string {
  return `${projectNumberOf(project)}-compute@developer.gserviceaccount.com`;
}
