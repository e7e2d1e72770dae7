import { createHash } from "node:crypto";

// Google names one project two ways: its id (`my-app`) and its number (`123456789012`); an API
// takes either in `projects/{PROJECT_IDENTIFIER}` and answers with the number (AIP-2510). The
// emulators have no project registry, so a project's number is derived from its id: the same id
// always gets the same number, and a path naming either reaches the same project.

const PROJECT_NUMBER = /^\d+$/;

/** The emulated project number of a project id: 12 digits, the first non-zero. */
export function projectNumberOf(projectId: string): string {
  const digest = createHash("sha256").update(projectId).digest();
  const value = digest.readBigUInt64BE(0) % 900_000_000_000n;
  return String(value + 100_000_000_000n);
}

/** The number a project identifier (id or number) stands for; `-` (any project) stays `-`. */
export function projectNumberFor(identifier: string): string {
  if (identifier === "-" || PROJECT_NUMBER.test(identifier)) return identifier;
  return projectNumberOf(identifier);
}
