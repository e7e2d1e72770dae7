import { createHash } from "node:crypto";
import type { BuildFile } from "./substitute.js";

/** Length of a web digest: 40 hex characters, short enough for a Hosting label value. */
const WEB_DIGEST_LENGTH = 40;

/**
 * Pure: the content address of a web build (or template): every path with the sha256 of its
 * bytes, plus the placeholders it was built with. Equal digests mean byte-identical builds.
 */
export function webDigest(
  files: readonly BuildFile[],
  placeholders: Readonly<Record<string, string>> = {},
): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash
      .update(file.path)
      .update("\0")
      .update(createHash("sha256").update(file.content).digest())
      .update("\0");
  }
  for (const key of Object.keys(placeholders).sort()) hash.update(`${key}=${placeholders[key]}\n`);
  return hash.digest("hex").slice(0, WEB_DIGEST_LENGTH);
}
