// Cloud Run naming and traffic limits as pure checks, shared by the emulator (which answers
// INVALID_ARGUMENT with these messages) and the CLI (which refuses bad names before any API call).

export const SERVICE_NAME_MAX_LENGTH = 49;
const TAG_MIN_LENGTH = 3;
/** Tag and service name form one DNS label of the tag URL: https://TAG---SERVICE-HASH-REGION.a.run.app */
export const TAG_PLUS_SERVICE_MAX_LENGTH = 46;
const REVISION_NAME_MAX_LENGTH = 63;
export const MAX_REVISIONS_PER_SERVICE = 1000;

type LimitCheck = { ok: true } | { ok: false; message: string };

const ok: LimitCheck = { ok: true };
const fail = (message: string): LimitCheck => ({ ok: false, message });

export function checkServiceName(name: string): LimitCheck {
  if (name.length === 0) return fail("Service name must not be empty.");
  if (name.length > SERVICE_NAME_MAX_LENGTH) {
    return fail(
      `Service name '${name}' is ${name.length} characters long; it must be fewer than ${SERVICE_NAME_MAX_LENGTH + 1} characters.`,
    );
  }
  if (!/^[a-z]/.test(name)) return fail(`Service name '${name}' must start with a lowercase letter.`);
  if (!/^[a-z0-9-]+$/.test(name)) {
    return fail(`Service name '${name}' may only contain lowercase letters, digits and dashes ([a-z0-9-]).`);
  }
  if (name.endsWith("-")) return fail(`Service name '${name}' must not end with a dash.`);
  return ok;
}

export function checkTrafficTag(tag: string, serviceName: string): LimitCheck {
  if (!/^[a-z0-9-]+$/.test(tag)) {
    return fail(
      `Traffic tag '${tag}' may only contain lowercase letters, digits and dashes ([a-z0-9-]); underscores and uppercase are not allowed.`,
    );
  }
  if (!/^[a-z]/.test(tag)) return fail(`Traffic tag '${tag}' must start with a lowercase letter.`);
  if (tag.endsWith("-")) return fail(`Traffic tag '${tag}' must not end with a dash.`);
  if (tag.length < TAG_MIN_LENGTH) {
    return fail(
      `Traffic tag '${tag}' is too short; tags must contain at least ${TAG_MIN_LENGTH} characters.`,
    );
  }
  if (tag.length + serviceName.length > TAG_PLUS_SERVICE_MAX_LENGTH) {
    return fail(
      `Traffic tag '${tag}' and service name '${serviceName}' together are too long. Combined traffic tag and service name cannot exceed ${TAG_PLUS_SERVICE_MAX_LENGTH} characters.`,
    );
  }
  return ok;
}

export function checkRevisionName(revision: string, serviceName: string): LimitCheck {
  if (!revision.startsWith(`${serviceName}-`)) {
    return fail(
      `Revision name '${revision}' must be prefixed by the service name followed by a dash ('${serviceName}-').`,
    );
  }
  if (revision.length > REVISION_NAME_MAX_LENGTH) {
    return fail(`Revision name '${revision}' must be at most ${REVISION_NAME_MAX_LENGTH} characters.`);
  }
  if (!/^[a-z0-9-]+$/.test(revision) || revision.endsWith("-")) {
    return fail(
      `Revision name '${revision}' may only contain lowercase letters, digits and dashes and must not end with a dash.`,
    );
  }
  return ok;
}

export type TrafficType = "LATEST" | "REVISION";

/** A service's `traffic[]` entry (google.cloud.run.v2.TrafficTarget as JSON). */
export interface TrafficTarget {
  type: TrafficType;
  /** Short revision name; absent for LATEST. */
  revision?: string;
  percent: number;
  tag?: string;
}

/** Checks a traffic list; `knownRevisions` are short revision names that exist on the service. */
export function checkTraffic(
  traffic: readonly TrafficTarget[],
  serviceName: string,
  knownRevisions: ReadonlySet<string>,
): string[] {
  const errors: string[] = [];
  const tags = new Set<string>();
  let sum = 0;
  traffic.forEach((entry, index) => {
    const where = `traffic[${index}]`;
    if (!Number.isInteger(entry.percent) || entry.percent < 0 || entry.percent > 100) {
      errors.push(`${where}.percent: ${entry.percent} must be an integer between 0 and 100.`);
    }
    sum += entry.percent;
    if (entry.type === "LATEST" && entry.revision) {
      errors.push(`${where}: a target of type LATEST must not name a revision ('${entry.revision}').`);
    }
    if (entry.type === "REVISION") {
      if (!entry.revision) errors.push(`${where}: a target of type REVISION must name a revision.`);
      else if (!knownRevisions.has(entry.revision)) {
        errors.push(`${where}.revision: Revision '${entry.revision}' referenced in traffic does not exist.`);
      }
    }
    if (entry.tag) {
      const tagCheck = checkTrafficTag(entry.tag, serviceName);
      if (!tagCheck.ok) errors.push(`${where}.tag: ${tagCheck.message}`);
      if (tags.has(entry.tag))
        errors.push(`${where}.tag: Traffic tag '${entry.tag}' is used more than once.`);
      tags.add(entry.tag);
    }
  });
  if (traffic.length > 0 && sum !== 100) {
    errors.push(`Traffic percents must sum to 100, but they sum to ${sum}.`);
  }
  return errors;
}
