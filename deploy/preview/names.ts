import { createHash } from "node:crypto";
import { UsageError } from "../core/errors.js";
import {
  checkServiceName,
  checkTrafficTag,
  TAG_PLUS_SERVICE_MAX_LENGTH,
} from "../platform/cloudrun/limits.js";

/** Longest preview id; short enough to share a service name with the app's base name. */
export const PREVIEW_ID_MAX_LENGTH = 20;
/** Room left for the promote pipeline's candidate tag on a preview service (tag + service ≤ 46). */
export const PREVIEW_TAG_RESERVE = 12;
export const PREVIEW_SERVICE_MAX_LENGTH = TAG_PLUS_SERVICE_MAX_LENGTH - PREVIEW_TAG_RESERVE;
/** Firebase Hosting channel ids: [a-z0-9-], one DNS label together with the site name. */
export const CHANNEL_ID_MAX_LENGTH = 63;
const HASH_LENGTH = 8;
const ID_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;

export interface PreviewNames {
  branch: string;
  /** Stable id of the branch: the Hosting channel id and the service suffix. */
  id: string;
  /** Cloud Run service of this preview. */
  service: string;
  channel: string;
}

/**
 * Branch → preview id: lowercase [a-z0-9-], starts with a letter, no trailing dash,
 * ≤ PREVIEW_ID_MAX_LENGTH. When anything was changed, a hash of the original branch is
 * appended, so `feature/a` and `feature-a` never share an id.
 */
export function previewId(branch: string): string {
  if (branch.length === 0) {
    throw new UsageError("Can't derive a preview name from an empty branch name.", {
      hint: "Pass the git branch, e.g. --branch feature/login (CI: $GITHUB_HEAD_REF).",
    });
  }
  let slug = branch
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(slug)) slug = slug ? `b-${slug}` : "b";
  if (slug === branch && slug.length <= PREVIEW_ID_MAX_LENGTH && ID_PATTERN.test(slug)) return slug;
  const head = slug.slice(0, PREVIEW_ID_MAX_LENGTH - HASH_LENGTH - 1).replace(/-+$/, "");
  return `${head}-${shortHash(branch)}`;
}

/** The preview service name: `<base>-<id>`, the base shortened to fit; `<id>` alone if no room. */
export function previewServiceName(serviceBase: string, id: string): string {
  const room = PREVIEW_SERVICE_MAX_LENGTH - id.length - 1;
  const base = serviceBase
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, Math.max(0, room))
    .replace(/-+$/, "");
  return /^[a-z]/.test(base) ? `${base}-${id}` : id;
}

export function previewNames(branch: string, serviceBase: string): PreviewNames {
  const id = previewId(branch);
  return { branch, id, service: previewServiceName(serviceBase, id), channel: id };
}

/** Every rule a preview id must satisfy; empty when valid. Used by tests and as a last guard. */
export function previewNameProblems(names: Pick<PreviewNames, "id" | "service" | "channel">): string[] {
  const problems: string[] = [];
  if (!ID_PATTERN.test(names.id)) problems.push(`id '${names.id}' must match ${ID_PATTERN}`);
  if (names.id.length > PREVIEW_ID_MAX_LENGTH)
    problems.push(`id '${names.id}' is longer than ${PREVIEW_ID_MAX_LENGTH}`);
  const service = checkServiceName(names.service);
  if (!service.ok) problems.push(service.message);
  const tag = checkTrafficTag("x".repeat(PREVIEW_TAG_RESERVE), names.service);
  if (!tag.ok) problems.push(tag.message);
  if (names.channel.length > CHANNEL_ID_MAX_LENGTH || !ID_PATTERN.test(names.channel)) {
    problems.push(`channel '${names.channel}' is not a valid Hosting channel id`);
  }
  return problems;
}

function shortHash(text: string): string {
  const digest = createHash("sha256").update(text, "utf8").digest();
  // 8 base-36 chars ≈ 41 bits: collisions among a repo's branches are not a practical concern.
  return BigInt(`0x${digest.subarray(0, 8).toString("hex")}`)
    .toString(36)
    .padStart(HASH_LENGTH, "0")
    .slice(-HASH_LENGTH);
}
