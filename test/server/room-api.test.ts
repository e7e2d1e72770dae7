import { describe, expect, it } from "vitest";
import { type Msg, TestClient, type TestServer, useTestServers } from "./helpers.js";
import { type StoreKind, useTestStores } from "./postgres.js";

const { storeEnv } = useTestStores();
const servers = useTestServers();
const clients = servers.clients;
let server: TestServer | undefined;

async function member(roomId: string, peerId: string, extra: Record<string, unknown> = {}) {
  const c = await TestClient.connect(server!.wsUrl);
  clients.push(c);
  c.send({ type: "join", roomId, peerId, ...extra });
  return { c, joined: await c.next("joined") };
}

function postToRoom(roomId: string, body: unknown): Promise<Response> {
  return fetch(`${server!.url}/api/rooms/${encodeURIComponent(roomId)}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function chats(
  c: TestClient,
  count: number,
): Promise<Array<{ id: string; seq: number; from: string }>> {
  const got: Array<{ id: string; seq: number; from: string }> = [];
  for (let i = 0; i < count; i++) got.push((await c.next("chat-message")).message as never);
  return got;
}

describe.each<StoreKind>(["memory", "postgres"])("rooms over REST and WebSocket (%s store)", (kind) => {
  it("a POSTed message reaches every member once over the socket, with its seq, and GET reads it back", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await member("r1", "alice");
    const { c: bob } = await member("r1", "bob");
    const { c: carol } = await member("r1", "carol");
    const res = await postToRoom("r1", { from: "webhook", content: "deploy finished", id: "rest-1" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { message: { seq: number }; recipients: number };
    expect(body).toMatchObject({ roomId: "r1", recipients: 3, message: { id: "rest-1", from: "webhook" } });
    for (const c of [alice, bob, carol]) {
      expect(await c.next("chat-message")).toEqual({
        type: "chat-message",
        roomId: "r1",
        message: body.message,
      });
    }
    const read = (await (await fetch(`${server.url}/api/rooms/r1/messages`)).json()) as {
      messages: unknown[];
    };
    expect(read).toEqual({ roomId: "r1", messages: [body.message] });
  });

  it("a burst of concurrent POSTs arrives complete, once each, in seq order at every member", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await member("burst", "alice");
    const { c: bob } = await member("burst", "bob");
    const count = 30;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        postToRoom("burst", { from: "api", content: `m${i}`, id: `b${i}` }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(count).fill(201));
    const received = [await chats(alice, count), await chats(bob, count)];
    // Nothing beyond the burst: the next message each gets is the marker, not a duplicate.
    await postToRoom("burst", { from: "api", content: "end", id: "end" });
    for (const [i, c] of [alice, bob].entries()) {
      const got = received[i]!;
      expect(new Set(got.map((m) => m.id)).size).toBe(count);
      const seqs = got.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect((await c.next("chat-message")).message).toMatchObject({ id: "end" });
    }
  });

  it("a late joiner gets the history, socket and REST messages alike, oldest first", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await member("h", "alice");
    const { c: bob } = await member("h", "bob");
    alice.send({ type: "chat-message", roomId: "h", message: { id: "ws-1", content: "one" } });
    await alice.next("message-delivered");
    await postToRoom("h", { from: "api", content: "two", id: "rest-2" });
    await chats(bob, 2);
    const { joined } = await member("h", "carol");
    expect((joined.history as Array<{ id: string }>).map((m) => m.id)).toEqual(["ws-1", "rest-2"]);
  });

  it("a member that comes back with since gets exactly what it missed", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await member("resume", "alice");
    const { c: bob, joined } = await member("resume", "bob");
    alice.send({ type: "chat-message", roomId: "resume", message: { id: "before", content: "seen" } });
    const [seen] = await chats(bob, 1);
    bob.close();
    for (const id of ["missed-1", "missed-2"]) {
      alice.send({ type: "chat-message", roomId: "resume", message: { id, content: id } });
      await alice.next((m: Msg) => m.type === "message-delivered" && m.id === id);
    }
    await postToRoom("resume", { from: "api", content: "missed-3", id: "missed-3" });
    const { joined: rejoined } = await member("resume", "bob", { since: seen!.seq, token: joined.token });
    expect((rejoined.history as Array<{ id: string }>).map((m) => m.id)).toEqual([
      "missed-1",
      "missed-2",
      "missed-3",
    ]);
    const read = (await (
      await fetch(`${server.url}/api/rooms/resume/messages?since=${seen!.seq}`)
    ).json()) as {
      messages: Array<{ id: string }>;
    };
    expect(read.messages.map((m) => m.id)).toEqual(["missed-1", "missed-2", "missed-3"]);
  });
});

it("with PostgreSQL a room's history outlives its members and the server", async () => {
  const env = storeEnv("postgres");
  server = await servers.start(env);
  const { c: alice } = await member("durable", "alice");
  alice.send({ type: "chat-message", roomId: "durable", message: { id: "kept", content: "still here" } });
  await alice.next("message-delivered");
  alice.close();
  await server.close();
  server = await servers.start(env);
  const { joined } = await member("durable", "bob");
  expect(joined.history).toMatchObject([{ id: "kept", from: "alice", content: "still here" }]);
});

describe("the REST API refuses what it can't use, saying why", () => {
  it("names the field, the size limit, the method and unknown paths", async () => {
    server = await servers.start({ MAX_FRAME_BYTES: "2048" });
    const missing = await postToRoom("r", { content: "no sender" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: "invalid-message",
      message: expect.stringMatching(/from/),
    });
    const notJson = await fetch(`${server.url}/api/rooms/r/messages`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: "invalid-json" });
    const big = await postToRoom("r", { from: "a", content: "x".repeat(3_000) });
    expect(big.status).toBe(413);
    const put = await fetch(`${server.url}/api/rooms/r/messages`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    const since = await fetch(`${server.url}/api/rooms/r/messages?since=-1`);
    expect(since.status).toBe(400);
    expect((await fetch(`${server.url}/api/rooms`)).status).toBe(404);
  });
});
