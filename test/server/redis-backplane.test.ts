import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectTestRedis, dropPrefix, keysUnder, REDIS_URL, testPrefix } from "../helpers/redis.js";
import { type ChildServer, spawnServer, startTestServer, TestClient, type TestServer } from "./helpers.js";

let redis: Redis;
let prefix: string;
const clients: TestClient[] = [];
const children: ChildServer[] = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(() => redis?.disconnect());
beforeEach(() => {
  prefix = testPrefix();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
  for (const child of children.splice(0)) {
    child.child.kill("SIGKILL");
    await child.exited;
  }
  await dropPrefix(redis, prefix);
});

const env = (extra: Record<string, string> = {}) => ({
  REDIS_URL,
  REDIS_KEY_PREFIX: prefix,
  SESSION_SECRET: "test-session-secret",
  ...extra,
});

async function connect(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url.replace(/^http/, "ws"));
  clients.push(c);
  return c;
}

async function spawn(extra: Record<string, string> = {}): Promise<ChildServer> {
  const child = await spawnServer(env(extra));
  children.push(child);
  return child;
}

async function inProcess(extra: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env(extra));
  servers.push(server);
  return server;
}

const chat = (roomId: string, id: string, content = id) => ({
  type: "chat-message",
  roomId,
  message: { id, content },
});

describe("two server processes sharing REDIS_URL", () => {
  it("deliver each other's messages and each sender's own echo; presence and acks span both", async () => {
    const [one, two] = await Promise.all([spawn(), spawn()]);
    const a = await connect(one.url);
    const b = await connect(two.url);
    const aJoined = await a.join("room", "alice");
    const bJoined = await b.join("room", "bob");
    expect(aJoined.instance).not.toBe(bJoined.instance);
    expect(bJoined.peers).toEqual(["alice", "bob"]);
    expect(await a.next("peer-joined")).toMatchObject({ peerId: "bob" });

    a.send(chat("room", "from-a"));
    expect(await a.next("chat-message")).toMatchObject({ message: { id: "from-a", from: "alice" } });
    expect(await b.next("chat-message")).toMatchObject({ message: { id: "from-a", from: "alice" } });
    expect(await a.next("message-delivered")).toMatchObject({ id: "from-a", recipients: 2 });
    b.send(chat("room", "from-b"));
    expect(await b.next("chat-message")).toMatchObject({ message: { id: "from-b", from: "bob" } });
    expect(await a.next("chat-message")).toMatchObject({ message: { id: "from-b", from: "bob" } });

    const health = (await (await fetch(`${one.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ backplane: "redis", instance: aJoined.instance });
  });

  it("kill -9 of one: the survivor's peers get peer-left for its peers; a rejoin gets what it missed", async () => {
    const ttl = { PRESENCE_TTL_MS: "600" };
    const [doomed, survivor] = await Promise.all([spawn(ttl), spawn(ttl)]);
    const a = await connect(doomed.url);
    const b = await connect(survivor.url);
    const { token } = await a.join("room", "alice");
    await b.join("room", "bob");
    b.send(chat("room", "before"));
    const seen = await a.next("chat-message");
    const lastSeq = (seen.message as { seq: number }).seq;

    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const killedAt = Date.now();
    expect(await b.next("peer-left", 5_000)).toEqual({ type: "peer-left", roomId: "room", peerId: "alice" });
    expect(Date.now() - killedAt).toBeLessThan(3_000);

    for (const id of ["missed-1", "missed-2"]) {
      b.send(chat("room", id));
      await b.next("message-delivered");
    }
    const back = await connect(survivor.url);
    back.send({ type: "join", roomId: "room", peerId: "alice", token, since: lastSeq });
    const rejoined = await back.next("joined");
    expect((rejoined.history as Array<{ id: string }>).map((m) => m.id)).toEqual(["missed-1", "missed-2"]);
    expect(rejoined.peers).toEqual(["bob", "alice"]);
    expect(await b.next("peer-joined")).toMatchObject({ peerId: "alice" });
  });

  it("refuses to start on an unreachable REDIS_URL, naming it without credentials", async () => {
    const failure = await spawnServer(env({ REDIS_URL: "redis://user:hunter2@127.0.0.1:1/0" })).then(
      (started) => {
        children.push(started);
        return "started";
      },
      (error: unknown) => String(error),
    );
    expect(failure).toMatch(
      /exited with 1 before listening[\s\S]*Can't connect to REDIS_URL redis:\/\/127\.0\.0\.1:1\/0/,
    );
    expect(failure).not.toContain("hunter2");
  });
});

describe("shared presence (in-process instances)", () => {
  it("a peer reclaims its id on another instance only with its token; the old connection is replaced", async () => {
    const [one, two] = await Promise.all([inProcess(), inProcess()]);
    const old = await connect(one.url);
    const { token } = await old.join("room", "alice");
    const mallory = await connect(two.url);
    mallory.send({ type: "join", roomId: "room", peerId: "alice" });
    expect(await mallory.next("error")).toMatchObject({ code: "peer-id-taken" });

    const fresh = await connect(two.url);
    fresh.send({ type: "join", roomId: "room", peerId: "alice", token });
    expect(await fresh.next("joined")).toMatchObject({ peers: ["alice"], token });
    expect(await old.next("error")).toMatchObject({ code: "replaced" });
    // A member on old's instance, so m1 is seen arriving there.
    const witness = await connect(one.url);
    await witness.join("room", "bob");
    fresh.send(chat("room", "m1"));
    expect(await fresh.next("message-delivered")).toMatchObject({ recipients: 2 });
    await witness.next("chat-message");
    await old.roundTrip();
    expect(old.received("chat-message")).toEqual([]);
  });

  it("keeps history bounded and leaves no keys behind once everyone has left and instances stopped", async () => {
    const [one, two] = await Promise.all([inProcess({ ROOM_HISTORY_LIMIT: "3" }), inProcess()]);
    const a = await connect(one.url);
    await a.join("room", "alice");
    for (const id of ["1", "2", "3", "4", "5"]) {
      a.send(chat("room", id));
      await a.next("message-delivered");
    }
    const b = await connect(two.url);
    const joined = await b.join("room", "bob");
    const history = joined.history as Array<{ id: string; seq: number }>;
    expect(history.map((m) => m.id)).toEqual(["3", "4", "5"]);
    // Clock-seeded sequence numbers (16 digits) survive Lua and Redis scores exactly.
    expect(history.map((m) => m.seq - history[0]!.seq)).toEqual([0, 1, 2]);
    expect(history[0]!.seq).toBeGreaterThan(Date.UTC(2020, 0) * 1000);
    const later = await b.join("room", "bob");
    expect(later.history).toEqual(joined.history);
    b.send({ type: "join", roomId: "room", peerId: "bob", since: history[1]!.seq });
    expect(((await b.next("joined")).history as Array<{ id: string }>).map((m) => m.id)).toEqual(["5"]);
    a.send({ type: "leave", roomId: "room" });
    await a.next("left");
    expect(await b.next("peer-left")).toMatchObject({ peerId: "alice" });
    b.close();
    await expect.poll(() => keysUnder(redis, `${prefix}room:`), { timeout: 2_000 }).toEqual([]);
    for (const s of servers.splice(0)) await s.close();
    expect((await keysUnder(redis, prefix)).filter((k) => !/:(seq|order)$/.test(k))).toEqual([]);
  });
});
