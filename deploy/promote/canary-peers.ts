import type { ServiceSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { PlannedSmoke } from "./plan-types.js";

/** Tag given to the previous revision during partial steps when it has none, so the gate can reach it. */
const PEER_TAG = "previous";

/**
 * The routing without the peer tag a partial step wrote. The plan owns that tag: a promotion killed
 * after a partial step leaves it on the old revision, and a later step tagging another revision
 * `previous` would then use the tag twice (Cloud Run refuses). Entries that only carried the tag
 * (0 %) go; others keep their share untagged. Pure.
 */
export function withoutPeerTag(traffic: readonly TrafficTarget[]): TrafficTarget[] {
  return traffic.flatMap((t) => {
    if (t.tag !== PEER_TAG) return [{ ...t }];
    const { tag: _tag, ...untagged } = t;
    return t.percent > 0 ? [untagged] : [];
  });
}

/**
 * A partial step splits users between the candidate and the previous revision, so its smoke puts
 * clients on both (their tag URLs) and requires the message to cross, instead of letting the
 * service URL's random split decide where the smoke's own clients land. Pure.
 */
export function canaryStep(
  traffic: readonly TrafficTarget[],
  previous: string | undefined,
  percent: number,
  candidateCheck: PlannedSmoke,
): { traffic: TrafficTarget[]; check: PlannedSmoke } {
  if (!previous || percent >= 100) return { traffic: [...traffic], check: { target: "service" } };
  const existing = traffic.find((t) => t.revision === previous && t.tag)?.tag;
  const tag = existing ?? PEER_TAG;
  const tagged = existing
    ? [...traffic]
    : traffic.map((t) => (t.revision === previous && t.percent > 0 ? { ...t, tag } : t));
  return {
    traffic: tagged,
    check: { ...candidateCheck, target: "service", peer: { tag, revision: previous } },
  };
}

/**
 * The URL the smoke starts from and, for a step with a peer, both tag URLs: the sender on the
 * candidate's, half the clients on the previous revision's.
 */
export function smokeUrls(
  check: PlannedSmoke,
  latest: ServiceSnapshot | undefined,
  candidateTag: string,
  fallbackUri: string | undefined,
): { url: string | undefined; check: PlannedSmoke } {
  const tagUrl = (tag: string) => latest?.trafficStatuses.find((s) => s.tag === tag)?.uri;
  if (check.peer) {
    const peerUrl = tagUrl(check.peer.tag);
    return {
      url: peerUrl ? tagUrl(candidateTag) : undefined,
      check: { ...check, peer: { ...check.peer, ...(peerUrl ? { url: peerUrl } : {}) } },
    };
  }
  return { url: check.target === "candidate" ? tagUrl(candidateTag) : (latest?.uri ?? fallbackUri), check };
}
