/**
 * A Google Cloud project id: lowercase letters, digits and hyphens, starting with a letter and
 * not ending with a hyphen, optionally scoped by a domain (`example.com:my-project`). It becomes
 * part of every API URL path, so nothing else may get through (`a/b?c#d`, `../../x`).
 */
export const PROJECT_ID_PATTERN = /^(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

export const PROJECT_ID_MESSAGE =
  "must be a Google Cloud project id: lowercase letters, digits and hyphens, starting with a letter (e.g. my-project-123)";

/** Google's length rule (6 to 30 characters, the domain scope not counted); the emulator takes shorter ids. */
export function googleProjectIdProblem(project: string): string | undefined {
  const id = project.slice(project.lastIndexOf(":") + 1);
  if (id.length >= 6 && id.length <= 30) return undefined;
  return `Can't use project "${project}" on Google Cloud: a project id has 6 to 30 characters (this one has ${id.length}).`;
}
