import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Msg, startTestServer, TestClient, type TestServer } from "./helpers.js";

let server: TestServer;
const clients: TestClient[] = [];

async function client(): Promise<TestClient> {
  const c = await TestClient.connect(server.wsUrl);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  server = await startTestServer({ ROOM_HISTORY_LIMIT: "3" });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe("rooms and chat", () => {
  it("broadcasts a chat message to everyone in the room, the sender included, and acks it", async () => {
    const alice = await client();
    const bob = await client();
    const outsider = await client();
    await alice.join("r1", "alice");
    const bobJoined = await bob.join("r1", "bob");
    await outsider.join("r2", "carol");
    expect(bobJoined.peers).toEqual(["alice", "bob"]);
    expect(await alice.next("peer-joined")).toEqual({ type: "peer-joined", roomId: "r1", peerId: "bob" });

    const before = Date.now();
    alice.send({ type: "chat-message", roomId: "r1", message: { id: "m1", content: "hello" } });
    const own = await alice.next("chat-message");
    const other = await bob.next("chat-message");
    const ack = await alice.next("message-delivered");

    expect(own).toEqual(other);
    expect(own.roomId).toBe("r1");
    const message = own.message as Msg["message"] & { ts: number };
    expect(message).toMatchObject({ id: "m1", content: "hello", from: "alice" });
    expect(message.ts).toBeGreaterThanOrEqual(before);
    expect(ack).toEqual({ type: "message-delivered", roomId: "r1", id: "m1", recipients: 2 });
    await outsider.roundTrip();
    expect(outsider.received("chat-message")).toEqual([]);
  });

  it("sends the last ROOM_HISTORY_LIMIT messages to a peer that joins later", async () => {
    const alice = await client();
    await alice.join("r1", "alice");
    for (const id of ["m1", "m2", "m3", "m4"]) {
      alice.send({ type: "chat-message", roomId: "r1", message: { id, content: `text ${id}` } });
      await alice.next("message-delivered");
    }
    const bob = await client();
    const joined = await bob.join("r1", "bob");
    expect(joined).toMatchObject({ type: "joined", roomId: "r1", peerId: "bob", peers: ["alice", "bob"] });
    expect((joined.history as Array<{ id: string; from: string }>).map((m) => m.id)).toEqual([
      "m2",
      "m3",
      "m4",
    ]);
    expect((joined.history as Array<{ from: string }>)[0]!.from).toBe("alice");
  });

  it("announces leave and disconnect, and forgets empty rooms", async () => {
    const alice = await client();
    const bob = await client();
    await alice.join("r1", "alice");
    await bob.join("r1", "bob");
    bob.send({ type: "leave", roomId: "r1" });
    expect(await bob.next("left")).toEqual({ type: "left", roomId: "r1" });
    expect(await alice.next("peer-left")).toEqual({ type: "peer-left", roomId: "r1", peerId: "bob" });

    await bob.join("r1", "bob");
    bob.close();
    expect(await alice.next("peer-left")).toMatchObject({ peerId: "bob" });
    alice.send({ type: "leave", roomId: "r1" });
    await alice.next("left");
    const health = (await (await fetch(`${server.url}/health`)).json()) as { rooms: number };
    expect(health.rooms).toBe(0);
  });

  it("refuses chat in a room the connection hasn't joined", async () => {
    const alice = await client();
    alice.send({ type: "chat-message", roomId: "r1", message: { id: "m1", content: "hi" } });
    expect(await alice.next("error")).toMatchObject({ code: "not-in-room" });
  });

  it("lets the same peer take over from a new connection with its token", async () => {
    const old = await client();
    const { token } = await old.join("r1", "alice");
    const fresh = await client();
    fresh.send({ type: "join", roomId: "r1", peerId: "alice", token });
    const joined = await fresh.next("joined");
    expect(joined.peers).toEqual(["alice"]);
    expect(joined.token).toBe(token);
    expect(await old.next("error")).toMatchObject({ code: "replaced" });
    fresh.send({ type: "chat-message", roomId: "r1", message: { id: "m1", content: "hi" } });
    expect(await fresh.next("message-delivered")).toMatchObject({ recipients: 1 });
    await old.roundTrip();
    expect(old.received("chat-message")).toEqual([]);
  });

  it("refuses a join under another connection's peerId without its token (no impersonation)", async () => {
    const alice = await client();
    const { token } = await alice.join("r1", "alice");
    const mallory = await client();
    mallory.send({ type: "join", roomId: "r1", peerId: "alice" });
    expect(await mallory.next("error")).toMatchObject({ code: "peer-id-taken" });
    const forged = `${String(token).split(".")[0]}.${"A".repeat(43)}`;
    mallory.send({ type: "join", roomId: "r1", peerId: "alice", token: forged });
    expect(await mallory.next("error")).toMatchObject({ code: "peer-id-taken" });
    const otherRoom = await alice.join("r2", "alice");
    mallory.send({ type: "join", roomId: "r1", peerId: "alice", token: otherRoom.token });
    expect(await mallory.next("error")).toMatchObject({ code: "peer-id-taken" });

    mallory.send({ type: "chat-message", roomId: "r1", message: { id: "m1", content: "as alice" } });
    expect(await mallory.next("error")).toMatchObject({ code: "not-in-room" });
    alice.send({ type: "chat-message", roomId: "r1", message: { id: "m2", content: "still me" } });
    expect(await alice.next("message-delivered")).toMatchObject({ recipients: 1 });
    // The reply to alice's own later message: an error meant for her would have come before it.
    expect(alice.received("error")).toEqual([]);
  });
});

describe("bad input", () => {
  it("answers protocol errors and keeps the connection usable", async () => {
    const c = await client();
    c.send("{not json");
    expect(await c.next("error")).toMatchObject({ code: "invalid-json" });
    c.send("[1,2]");
    expect(await c.next("error")).toMatchObject({ code: "invalid-message" });
    c.send({ type: "dance" });
    expect(await c.next("error")).toMatchObject({ code: "unknown-type" });
    c.send({ type: "join", roomId: "", peerId: 7 });
    const invalid = await c.next("error");
    expect(invalid).toMatchObject({ code: "invalid-message" });
    expect(invalid.message).toMatch(/roomId/);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next("error")).toMatchObject({ code: "binary-not-supported" });
    expect(await c.join("r1", "alice")).toMatchObject({ type: "joined" });
  });

  it("closes a connection that sends an oversized frame with 1009 and keeps serving others", async () => {
    const big = await client();
    const other = await client();
    big.send({ type: "join", roomId: "r1", peerId: "x".repeat(70 * 1024) });
    expect((await big.closed()).code).toBe(1009);
    expect(await other.join("r1", "bob")).toMatchObject({ type: "joined" });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
