import type { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { connectTestRedis, dropPrefix, REDIS_URL, testPrefix } from "../helpers/redis.js";
import { startTestServer, TestClient, type TestServer } from "./helpers.js";
import { DATABASE_URL, dropTables, requirePostgres, testTablePrefix } from "./postgres.js";

// Two instances sharing Redis (routing) and PostgreSQL (storage), as on Cloud Run with maxInstances > 1.
let redis: Redis;
let db: pg.Client;
const redisPrefix = testPrefix();
const tablePrefix = testTablePrefix();
const servers: TestServer[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await connectTestRedis();
  db = await requirePostgres();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  await dropPrefix(redis, redisPrefix);
  redis.disconnect();
  await dropTables(db, tablePrefix);
  await db.end();
});

async function instance(): Promise<TestServer> {
  const server = await startTestServer({
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    DATABASE_URL,
    DATABASE_TABLE_PREFIX: tablePrefix,
  });
  servers.push(server);
  return server;
}

async function registered(server: TestServer, userId: string): Promise<TestClient> {
  const c = await TestClient.connect(server.wsUrl);
  clients.push(c);
  c.send({ type: "register", userId });
  await c.next("registered");
  return c;
}

it("a direct message reaches its recipient on another instance live, and a re-registration there replaces the old socket", async () => {
  const [a, b] = [await instance(), await instance()];
  const alice = await registered(a, "alice");
  const bobOnB = await registered(b, "bob");

  alice.send({ type: "dm", to: "bob", message: { id: "cross-1", content: "across instances" } });
  expect(await alice.next("dm-sent")).toMatchObject({ id: "cross-1", delivery: "live" });
  expect((await bobOnB.next("dm")).message).toMatchObject({ id: "cross-1", from: "alice" });

  // Bob's phone comes back through instance A: B's socket is let go, live messages go to A's.
  const bobOnA = await registered(a, "bob");
  expect(await bobOnB.next("error")).toMatchObject({ code: "replaced" });
  alice.send({ type: "dm", to: "bob", message: { id: "cross-2", content: "after the move" } });
  expect((await bobOnA.next("dm")).message).toMatchObject({ id: "cross-2" });
});

it("a message stored by one instance is delivered when its recipient registers on the other", async () => {
  const [a, b] = [await instance(), await instance()];
  const alice = await registered(a, "alice");
  alice.send({ type: "dm", to: "carol", message: { id: "wait-1", content: "see you" } });
  expect(await alice.next("dm-sent")).toMatchObject({ delivery: "stored" });
  const carol = await TestClient.connect(b.wsUrl);
  clients.push(carol);
  carol.send({ type: "register", userId: "carol" });
  expect(await carol.next("registered")).toMatchObject({ pending: 1 });
  expect((await carol.next("dm")).message).toMatchObject({ id: "wait-1", from: "alice" });
});
