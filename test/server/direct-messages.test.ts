import { describe, expect, it } from "vitest";
import { type Msg, TestClient, type TestServer, useTestServers } from "./helpers.js";
import { type StoreKind, useTestStores } from "./postgres.js";

const { db, storeEnv } = useTestStores();
const servers = useTestServers();
const clients = servers.clients;
let server: TestServer | undefined;

async function client(): Promise<TestClient> {
  const c = await TestClient.connect(server!.wsUrl);
  clients.push(c);
  return c;
}

async function registered(userId: string, since?: number): Promise<{ c: TestClient; reply: Msg }> {
  const c = await client();
  return { c, reply: await register(c, userId, since) };
}

function register(c: TestClient, userId: string, since?: number): Promise<Msg> {
  c.send({ type: "register", userId, ...(since === undefined ? {} : { since }) });
  return c.next("registered");
}

function dm(c: TestClient, to: string, id: string, content = `hello ${id}`): Promise<Msg> {
  c.send({ type: "dm", to, message: { id, content } });
  return c.next((m) => m.type === "dm-sent" && m.id === id);
}

/** Everything the server sent `c` before now: a join is answered after anything already queued for it. */
async function drained(c: TestClient): Promise<Msg[]> {
  const room = `marker-${Math.random().toString(36).slice(2)}`;
  c.send({ type: "join", roomId: room, peerId: "marker" });
  await c.next((m) => m.type === "joined" && m.roomId === room);
  return c.messages.splice(0);
}

describe.each<StoreKind>(["memory", "postgres"])("direct messages (%s store)", (kind) => {
  it("reach an online recipient at once; the sender is told it went live", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await registered("alice");
    const { c: bob, reply } = await registered("bob");
    expect(reply).toEqual({ type: "registered", userId: "bob", pending: 0 });
    const sent = await dm(alice, "bob", "m1", "hi bob");
    expect(sent).toMatchObject({
      type: "dm-sent",
      id: "m1",
      to: "bob",
      delivery: "live",
      seq: expect.any(Number),
    });
    expect(await bob.next("dm")).toEqual({
      type: "dm",
      message: {
        id: "m1",
        content: "hi bob",
        from: "alice",
        to: "bob",
        ts: expect.any(Number),
        seq: sent.seq,
      },
    });
  });

  it("to an offline user are stored and delivered once when it registers, oldest first", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await registered("alice");
    const first = await dm(alice, "bob", "o1");
    const second = await dm(alice, "bob", "o2");
    expect([first.delivery, second.delivery]).toEqual(["stored", "stored"]);
    expect(second.seq).toBeGreaterThan(first.seq as number);

    const { c: bob, reply } = await registered("bob");
    expect(reply).toMatchObject({ pending: 2 });
    expect((await bob.next("dm")).message).toMatchObject({ id: "o1", from: "alice" });
    expect((await bob.next("dm")).message).toMatchObject({ id: "o2" });
    bob.close();

    // Delivered means delivered: a later registration gets nothing again.
    const { c: bobAgain, reply: again } = await registered("bob");
    expect(again).toMatchObject({ pending: 0 });
    expect((await drained(bobAgain)).filter((m) => m.type === "dm")).toEqual([]);
  });

  it("to a user whose socket closed are kept for its return, not handed to the closed socket", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await registered("alice");
    const { c: bob } = await registered("bob");
    bob.ws.close();
    await bob.closed();
    expect(await dm(alice, "bob", "while-away")).toMatchObject({ delivery: "stored" });
    const { c: back, reply } = await registered("bob");
    expect(reply).toMatchObject({ pending: 1 });
    expect((await back.next("dm")).message).toMatchObject({ id: "while-away" });
  });

  it("after a reconnect go to the new socket, never the stale one (which is told it was replaced)", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await registered("alice");
    // The phone's old socket: still open as far as the server knows.
    const { c: stale } = await registered("bob");
    const { c: fresh } = await registered("bob");
    expect(await stale.next("error")).toMatchObject({ code: "replaced" });

    const sent = await dm(alice, "bob", "after-reconnect");
    expect(sent).toMatchObject({ delivery: "live" });
    expect((await fresh.next("dm")).message).toMatchObject({ id: "after-reconnect" });
    expect((await drained(stale)).filter((m) => m.type === "dm")).toEqual([]);
  });

  it("register with since gets every message after it again (a socket that died with messages in flight)", async () => {
    server = await servers.start(storeEnv(kind));
    const { c: alice } = await registered("alice");
    const { c: bob } = await registered("bob");
    const seen = await dm(alice, "bob", "s1");
    await bob.next("dm");
    await dm(alice, "bob", "s2");
    await dm(alice, "bob", "s3");
    // Marked delivered (they were handed to the socket), but the phone never read them.
    const { c: back, reply } = await registered("bob", seen.seq as number);
    expect(reply).toMatchObject({ pending: 2 });
    expect((await back.next("dm")).message).toMatchObject({ id: "s2" });
    expect((await back.next("dm")).message).toMatchObject({ id: "s3" });
  });

  it("need a registered sender; REST sends and reads them too", async () => {
    server = await servers.start(storeEnv(kind));
    const anonymous = await client();
    anonymous.send({ type: "dm", to: "bob", message: { id: "x", content: "who am I" } });
    expect(await anonymous.next("error")).toMatchObject({ code: "not-registered" });

    const { c: bob } = await registered("bob");
    const posted = await fetch(`${server.url}/api/users/bob/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: "support", content: "ticket 42 closed", id: "rest-1" }),
    });
    expect(posted.status).toBe(201);
    const body = (await posted.json()) as { message: { seq: number }; delivery: string };
    expect(body).toMatchObject({ delivery: "live", message: { id: "rest-1", from: "support", to: "bob" } });
    expect((await bob.next("dm")).message).toMatchObject({ id: "rest-1", seq: body.message.seq });

    const inbox = (await (await fetch(`${server.url}/api/users/bob/messages`)).json()) as {
      messages: Array<{ id: string }>;
    };
    expect(inbox).toMatchObject({ userId: "bob", messages: [{ id: "rest-1", from: "support", to: "bob" }] });
    const after = (await (
      await fetch(`${server.url}/api/users/bob/messages?since=${body.message.seq}`)
    ).json()) as {
      messages: unknown[];
    };
    expect(after.messages).toEqual([]);
  });
});

it("PostgreSQL keeps an offline user's messages across a server restart", async () => {
  const env = storeEnv("postgres");
  server = await servers.start(env);
  const { c: alice } = await registered("alice");
  await dm(alice, "bob", "survives");
  await server.close();
  server = await servers.start(env);
  const { c: bob, reply } = await registered("bob");
  expect(reply).toMatchObject({ pending: 1 });
  expect((await bob.next("dm")).message).toMatchObject({ id: "survives", from: "alice" });
  const rows = await db().query(
    `SELECT recipient, delivered_at FROM ${env.DATABASE_TABLE_PREFIX}direct_messages`,
  );
  expect(rows.rows).toEqual([{ recipient: "bob", delivered_at: expect.any(String) }]);
});
