import { createHash } from "node:crypto";
import { REDACTED } from "../../core/redact.js";

/** A short, comparable stand-in for a non-secret value: equal values, equal digests. */
export function valueDigest(value: string): string {
  return `sha256:${createHash("sha256").update(value).digest("hex").slice(0, 12)}`;
}

export const SECRET_CELL = REDACTED;
