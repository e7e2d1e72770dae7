import { createHash } from "node:crypto";

// Google names one project two ways: its id (`my-app`) and its number (`123456789012`); an API
// takes either in `projects/{PROJECT_IDENTIFIER}` and answers with the number (AIP-2510). Cloud Run
// also puts the number in the deterministic service URL, the default runtime service account and
// the metadata server's answers. The emulators have no Resource Manager to ask, so a project's
// number is derived from its id: the same id always gets the same number, and a path naming
// either reaches the same project.

const PROJECT_NUMBER = /^\d+$/;

/** The emulated project number of a project id (12 digits, the first non-zero); a number stays itself. */
export function projectNumberOf(project: string): string {
  if (PROJECT_NUMBER.test(project)) return project;
  const digest = createHash("sha256").update(project).digest();
  const value = digest.readBigUInt64BE(0) % 900_000_000_000n;
  return String(value + 100_000_000_000n);
}

/** The number a project identifier (id or number) stands for; `-` (any project) stays `-`. */
export function projectNumberFor(identifier: string): string {
  return identifier === "-" ? identifier : projectNumberOf(identifier);
}

/**
 * "If not provided, the revision will use the project's default service account"
 * (RevisionTemplate.service_account): the Compute Engine default service account.
 */
export function defaultServiceAccountOf(project: string): string {
  return `${projectNumberOf(project)}-compute@developer.gserviceaccount.com`;
}
