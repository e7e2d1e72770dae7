import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { PresenceEntry } from "../../server/src/backplane/backplane.js";
import { MemoryBackplane } from "../../server/src/backplane/memory-backplane.js";
import { describeRedisUrl } from "../../server/src/backplane/redis-url.js";
import { ConfigError, loadConfig } from "../../server/src/config.js";
import { resolveInstanceId } from "../../server/src/instance-id.js";
import { isLogged, withLevel } from "../../server/src/logger.js";
import { newClaim, peerToken, verifyPeerToken } from "../../server/src/peer-token.js";
import { LocalRooms } from "../../server/src/rooms.js";
import { TokenBucket } from "../../server/src/token-bucket.js";

const entry = (peerId: string, conn: string, claim = "c"): PresenceEntry => ({
  peerId,
  conn,
  claim,
  instance: "i1",
  order: 0,
});

describe("MemoryBackplane", () => {
  it("numbers messages, keeps a bounded history, serves what came after `since`, and drops empty rooms", async () => {
    const bp = new MemoryBackplane(2);
    expect(await bp.putPeer("r", entry("a", "conn-a"), undefined)).toBe(true);
    await bp.putPeer("r", entry("b", "conn-b"), undefined);
    const seqs: number[] = [];
    for (const id of ["1", "2", "3"]) {
      const { seq, peerCount } = await bp.append("r", { id, content: id, from: "a", ts: 0 });
      expect(peerCount).toBe(2);
      seqs.push(seq);
    }
    expect(seqs[1]).toBeGreaterThan(seqs[0]!);
    expect((await bp.history("r", 0)).map((m) => m.id)).toEqual(["2", "3"]);
    expect((await bp.history("r", seqs[1]!)).map((m) => m.id)).toEqual(["3"]);
    expect((await bp.peers("r")).map((p) => p.peerId)).toEqual(["a", "b"]);
    expect(await bp.removePeer("r", "a", "conn-a")).toBe(true);
    expect(await bp.removePeer("r", "b", "conn-b")).toBe(true);
    expect(bp.size).toBe(0);
    expect(await bp.history("r", 0)).toEqual([]);
  });

  it("compare-and-set: a stale expected entry loses, and only the holding connection removes a peer", async () => {
    const bp = new MemoryBackplane(5);
    await bp.putPeer("r", entry("a", "conn-1"), undefined);
    const current = await bp.getPeer("r", "a");
    expect(await bp.putPeer("r", entry("a", "conn-2"), undefined)).toBe(false);
    expect(await bp.putPeer("r", entry("a", "conn-2"), current)).toBe(true);
    expect(await bp.removePeer("r", "a", "conn-1")).toBe(false);
    expect((await bp.getPeer("r", "a"))?.conn).toBe("conn-2");
    expect((await bp.getPeer("r", "a"))?.order).toBe(current?.order);
  });
});

describe("LocalRooms", () => {
  it("tracks this instance's members and forgets empty rooms", () => {
    const rooms = new LocalRooms<string>();
    rooms.add("r", { peerId: "a", conn: "c1", floor: 0 });
    rooms.add("r", { peerId: "b", conn: "c2", floor: 3 });
    expect(rooms.members("r").map((m) => m.peerId)).toEqual(["a", "b"]);
    expect(rooms.remove("r", "a", "other")).toBe(false);
    expect(rooms.remove("r", "a", "c1")).toBe(true);
    expect(rooms.remove("r", "b", "c2")).toBe(true);
    expect(rooms.size).toBe(0);
  });
});

describe("TokenBucket", () => {
  it("allows a burst, then the sustained rate", () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(10_000) && bucket.take(10_000) && bucket.take(10_000)).toBe(true);
    expect(bucket.take(10_000)).toBe(false);
  });
});

describe("peer tokens", () => {
  it("verify only for the same secret, room, peer and claim", () => {
    const claim = newClaim();
    const token = peerToken("s3cret", "r", "alice", claim);
    expect(verifyPeerToken("s3cret", "r", "alice", claim, token)).toBe(true);
    expect(verifyPeerToken("other", "r", "alice", claim, token)).toBe(false);
    expect(verifyPeerToken("s3cret", "r2", "alice", claim, token)).toBe(false);
    expect(verifyPeerToken("s3cret", "r", "bob", claim, token)).toBe(false);
    expect(verifyPeerToken("s3cret", "r", "alice", newClaim(), token)).toBe(false);
    expect(verifyPeerToken("s3cret", "r", "alice", claim, undefined)).toBe(false);
    expect(verifyPeerToken("s3cret", "r", "alice", claim, `${claim}.AAAA`)).toBe(false);
  });
});

describe("LOG_LEVEL", () => {
  it("filters below the level; an unknown level is a config error", () => {
    const lines: string[] = [];
    const log = withLevel({ log: (severity) => lines.push(severity) }, "warn");
    for (const severity of ["DEBUG", "INFO", "WARNING", "ERROR"] as const) log.log(severity, "x");
    expect(lines).toEqual(["WARNING", "ERROR"]);
    expect(isLogged("INFO", "error")).toBe(false);
    expect(isLogged("DEBUG", "debug")).toBe(true);
    expect(loadConfig({ LOG_LEVEL: "ERROR" }).logLevel).toBe("error");
    expect(() => loadConfig({ LOG_LEVEL: "verbose" })).toThrow(ConfigError);
  });
});

describe("REDIS_URL", () => {
  it("is optional, must be redis:// or rediss://, and is printed without credentials", () => {
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).redisUrl).toBe("redis://127.0.0.1:6379");
    expect(() => loadConfig({ REDIS_URL: "http://x" })).toThrow(/redis:\/\//);
    expect(() => loadConfig({ REDIS_URL: "not a url" })).toThrow(ConfigError);
    expect(describeRedisUrl("redis://user:hunter2@db.internal:6380/2")).toBe("redis://db.internal:6380/2");
  });
});

describe("instance id", () => {
  it("reads the metadata server with Metadata-Flavor: Google, else falls back to a random id", async () => {
    const seen: Array<string | undefined> = [];
    const metadata = createServer((req, res) => {
      seen.push(req.headers["metadata-flavor"] as string | undefined);
      if (req.url === "/computeMetadata/v1/instance/id") res.end("00bf4bf02d1234abcd");
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
    try {
      expect(await resolveInstanceId({ GCE_METADATA_HOST: host }, 5_000)).toEqual({
        id: "00bf4bf02d1234abcd",
        source: "metadata",
      });
      expect(seen).toEqual(["Google"]);
    } finally {
      metadata.close();
    }
    const fallback = await resolveInstanceId({ GCE_METADATA_HOST: host }, 200);
    expect(fallback.source).toBe("random");
    const local = await resolveInstanceId({});
    expect(local.source).toBe("random");
    expect(local.id).not.toBe((await resolveInstanceId({})).id);
  });
});
