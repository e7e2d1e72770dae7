import { createHash } from "node:crypto";
import {
  checkServiceName,
  checkTrafficTag,
  TAG_PLUS_SERVICE_MAX_LENGTH,
} from "@echogate/common/cloud-run-limits";
import { UsageError } from "../core/errors.js";

/** Longest preview id (the Hosting channel id); readable in the channel URL. */
const PREVIEW_ID_MAX_LENGTH = 20;
/** Room left for the promote pipeline's candidate tag on a preview service (tag + service ≤ 46). */
const PREVIEW_TAG_RESERVE = 12;
export const PREVIEW_SERVICE_MAX_LENGTH = TAG_PLUS_SERVICE_MAX_LENGTH - PREVIEW_TAG_RESERVE;
/** Firebase Hosting channel ids: [a-z0-9-], one DNS label together with the site name. */
const CHANNEL_ID_MAX_LENGTH = 63;
/** Channel ids Firebase Hosting reserves: `live` is every site's production channel. */
const RESERVED_CHANNEL_IDS: ReadonlySet<string> = new Set(["live"]);
const MIN_HASH_LENGTH = 8;
/** Shortest branch part of a service name: three characters of the branch, a dash, the hash. */
const SERVICE_BRANCH_PART_MIN_LENGTH = 3 + 1 + MIN_HASH_LENGTH;
/**
 * The service base is cut to this length whatever the branch, so base and branch never trade
 * characters (`<base>-pr-x` vs `<base>-pr` + `-x`), and a base like `echogate-chat-preview`
 * stays whole: cut to `echogate-chat`, branch `staging` would name the staging service.
 */
const PREVIEW_SERVICE_BASE_MAX_LENGTH = PREVIEW_SERVICE_MAX_LENGTH - 1 - SERVICE_BRANCH_PART_MIN_LENGTH;
const ID_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;

interface PreviewNames {
  branch: string;
  /** Stable id of the branch: the Hosting channel id and the preview label. */
  id: string;
  /** Cloud Run service of this preview: `<base>-<branch part>`. */
  service: string;
  channel: string;
}

/** Branch → preview id (≤ PREVIEW_ID_MAX_LENGTH); see `branchSlug` for the rules. */
export function previewId(branch: string): string {
  requireBranch(branch);
  return branchSlug(branch, PREVIEW_ID_MAX_LENGTH);
}

/** The preview service name: the base (cut to a fixed length) and the branch in the room left. */
export function previewServiceName(branch: string, serviceBase: string): string {
  requireBranch(branch);
  const base = serviceBasePart(serviceBase);
  if (!base) return branchSlug(branch, PREVIEW_SERVICE_MAX_LENGTH);
  return `${base}-${branchSlug(branch, PREVIEW_SERVICE_MAX_LENGTH - base.length - 1)}`;
}

export function previewNames(branch: string, serviceBase: string): PreviewNames {
  const id = previewId(branch);
  return { branch, id, service: previewServiceName(branch, serviceBase), channel: id };
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
  if (RESERVED_CHANNEL_IDS.has(names.channel))
    problems.push(`channel '${names.channel}' is reserved by Firebase Hosting`);
  return problems;
}

function requireBranch(branch: string): void {
  if (branch.length === 0) {
    throw new UsageError("Can't derive a preview name from an empty branch name.", {
      hint: "Pass the git branch, e.g. --branch feature/login (CI: $GITHUB_HEAD_REF).",
    });
  }
  const problem = branchNameProblem(branch);
  if (problem) {
    throw new UsageError(`Can't use ${JSON.stringify(branch)} as a branch: ${problem}.`, {
      hint: "Pass the branch name as git shows it (`git branch --show-current`).",
    });
  }
}

/**
 * Why git would refuse `branch` as a branch name (the rules of `git check-ref-format --branch`),
 * or undefined. A name git can't have never names a preview. Pure.
 */
export function branchNameProblem(branch: string): string | undefined {
  if (branch === "@") return "git refuses '@' as a branch name";
  if (branch.startsWith("-")) return "it starts with '-'";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch))
    return "it holds a space, a control character or one of ~ ^ : ? * [ \\";
  if (branch.includes("..")) return "it holds '..'";
  if (branch.includes("@{")) return "it holds '@{'";
  if (branch.startsWith("/") || branch.endsWith("/") || branch.includes("//"))
    return "it has an empty path part";
  if (branch.endsWith(".")) return "it ends with '.'";
  for (const part of branch.split("/")) {
    if (part.startsWith(".")) return `its part '${part}' starts with '.'`;
    if (part.endsWith(".lock")) return `its part '${part}' ends with '.lock'`;
  }
  return undefined;
}

/**
 * Branch → lowercase [a-z0-9-], starts with a letter, no trailing dash, ≤ maxLength. A branch
 * that is already such a name, shorter than maxLength and not reserved, is kept as it is;
 * any other gets a hash of the original branch, so `feature/a` and `feature-a` never meet.
 */
function branchSlug(branch: string, maxLength: number): string {
  let slug = branch
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(slug)) slug = slug ? `b-${slug}` : "b";
  // Kept names are shorter than maxLength, hashed ones exactly maxLength long: nobody can name a
  // branch after another branch's hashed form and take over its preview.
  if (slug === branch && slug.length < maxLength && !RESERVED_CHANNEL_IDS.has(slug)) return slug;
  const head = slug.slice(0, maxLength - MIN_HASH_LENGTH - 1).replace(/-+$/, "");
  return `${head}-${branchHash(branch, maxLength - head.length - 1)}`;
}

function serviceBasePart(serviceBase: string): string {
  const base = serviceBase
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, PREVIEW_SERVICE_BASE_MAX_LENGTH)
    .replace(/-+$/, "");
  return /^[a-z]/.test(base) ? base : "";
}

function branchHash(branch: string, length: number): string {
  const digest = createHash("sha256").update(branch, "utf8").digest("hex");
  // ≥ 8 base-36 chars ≈ 41 bits: collisions among a repo's branches are not a practical concern.
  return BigInt(`0x${digest}`).toString(36).padStart(50, "0").slice(-length);
}
