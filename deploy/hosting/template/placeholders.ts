import { randomBytes } from "node:crypto";

// A placeholder stands in for one public value while the front end is built once: unique (a
// random nonce nobody writes by accident) and made of characters every bundler keeps as they are.

const PLACEHOLDER_PREFIX = "__ECHOGATE_";

export function newNonce(): string {
  return randomBytes(8).toString("hex");
}

export function placeholderFor(key: string, nonce: string): string {
  return `${PLACEHOLDER_PREFIX}${key}_${nonce}__`;
}

/** key → placeholder for every public key, sorted by key. */
export function placeholdersFor(keys: readonly string[], nonce: string): Record<string, string> {
  return Object.fromEntries([...keys].sort().map((key) => [key, placeholderFor(key, nonce)]));
}
