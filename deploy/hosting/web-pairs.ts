import type { WebMode } from "../config/environment-schema.js";

// Which web version was released (pair-gated) with which server revision, kept on the Cloud Run
// service like the gate records: rollback moves the web back to the release paired with the
// revision it rolls back to, promote takes the template digest staging's pair gate passed, and
// status says whether the live web is paired with the serving revision.

export const WEB_PAIRS_ANNOTATION = "echogate.dev/web";
const MAX_WEB_PAIRS = 20;

export interface WebPair {
  /** The server revision the web release was pair-gated against. */
  revision: string;
  site: string;
  channel: string;
  /** Hosting version name, `sites/<site>/versions/<id>`. */
  version: string;
  mode: WebMode;
  /** Template mode: the template digest; rebuild mode: the build digest. */
  digest?: string;
  /** Template mode: the placeholder nonce (a rebuild of the same commit reproduces the digest with it). */
  nonce?: string;
  /** ISO time of the release. */
  at: string;
}

export function readWebPairs(annotations: Readonly<Record<string, string>>): WebPair[] {
  const raw = annotations[WEB_PAIRS_ANNOTATION];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isWebPair) : [];
  } catch {
    return [];
  }
}

function isWebPair(value: unknown): value is WebPair {
  const v = value as Partial<WebPair> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.revision === "string" &&
    typeof v.site === "string" &&
    typeof v.channel === "string" &&
    typeof v.version === "string" &&
    typeof v.at === "string"
  );
}

/** Newest last; a revision keeps only its latest pair. */
export function withWebPair(pairs: readonly WebPair[], pair: WebPair): WebPair[] {
  return [...pairs.filter((p) => p.revision !== pair.revision), pair].slice(-MAX_WEB_PAIRS);
}

export function webPairOf(pairs: readonly WebPair[], revision: string | undefined): WebPair | undefined {
  if (!revision) return undefined;
  for (let i = pairs.length - 1; i >= 0; i--) if (pairs[i]!.revision === revision) return pairs[i];
  return undefined;
}
