import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Peer tokens: `<nonce>.<HMAC-SHA256(SESSION_SECRET, room, peer, nonce)>`, both base64url.
 * The first join of a peerId in a room draws the nonce (the claim, kept in the room's presence);
 * taking over that peerId from another connection needs a token that signs the current claim, so
 * a client can't join as someone else's peer id. Pure apart from the random nonce.
 */
export function newClaim(): string {
  return randomBytes(16).toString("base64url");
}

function signature(secret: string, roomId: string, peerId: string, claim: string): string {
  return createHmac("sha256", secret).update(`v1\n${roomId}\n${peerId}\n${claim}`).digest("base64url");
}

export function peerToken(secret: string, roomId: string, peerId: string, claim: string): string {
  return `${claim}.${signature(secret, roomId, peerId, claim)}`;
}

/** True when `token` was issued by a holder of `secret` for this room, peer and claim. */
export function verifyPeerToken(
  secret: string,
  roomId: string,
  peerId: string,
  claim: string,
  token: string | undefined,
): boolean {
  if (token === undefined) return false;
  const dot = token.indexOf(".");
  if (dot < 0 || token.slice(0, dot) !== claim) return false;
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(signature(secret, roomId, peerId, claim));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
