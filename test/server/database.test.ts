import type pg from "pg";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startServer } from "../../server/src/start-server.js";
import { StoreUnavailableError } from "../../server/src/store/postgres-store.js";
import { spawnServer, startTestServer, type TestServer } from "./helpers.js";
import { DATABASE_URL, dropTables, requirePostgres, tablesUnder, testTablePrefix } from "./postgres.js";
import { CuttableProxy } from "./tcp-proxy.js";

let db: pg.Client;
const prefixes: string[] = [];
let server: TestServer | undefined;
let proxy: CuttableProxy | undefined;

beforeAll(async () => {
  db = await requirePostgres();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  for (const prefix of prefixes) await dropTables(db, prefix);
  await db.end();
});

function prefix(): string {
  const p = testTablePrefix();
  prefixes.push(p);
  return p;
}

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server!.url}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it("creates its tables under DATABASE_TABLE_PREFIX and reports the database up", async () => {
  const tablePrefix = prefix();
  server = await startTestServer({ DATABASE_URL, DATABASE_TABLE_PREFIX: tablePrefix });
  expect(await tablesUnder(db, tablePrefix)).toEqual([
    `${tablePrefix}direct_messages`,
    `${tablePrefix}dm_seq`,
    `${tablePrefix}room_messages`,
  ]);
  expect(await health()).toMatchObject({
    status: 200,
    body: { status: "ok", store: "postgres", database: "up" },
  });
  expect(server.logs.find((l) => l.message === "listening")?.fields.store).toBe(
    "postgres://127.0.0.1:5432/test",
  );
});

it("answers /health 503 database down while the database is unreachable, and 200 again once it is back", async () => {
  const target = new URL(DATABASE_URL);
  proxy = await CuttableProxy.start(Number(target.port || 5432));
  const viaProxy = new URL(DATABASE_URL);
  viaProxy.port = String(proxy.port);
  server = await startTestServer({ DATABASE_URL: viaProxy.href, DATABASE_TABLE_PREFIX: prefix() });
  expect((await health()).status).toBe(200);

  proxy.refusing = true;
  proxy.cut();
  expect(await health()).toMatchObject({
    status: 503,
    body: { status: "unavailable", store: "postgres", database: "down" },
  });
  // A message can't be kept: the REST API says so instead of pretending.
  const post = await fetch(`${server.url}/api/rooms/r/messages`, {
    method: "POST",
    body: JSON.stringify({ from: "a", content: "lost?" }),
  });
  expect(post.status).toBe(503);

  proxy.refusing = false;
  expect(await health()).toMatchObject({ status: 200, body: { database: "up" } });
});

it("refuses to start when DATABASE_URL can't be reached, naming the URL without its password", async () => {
  const url = "postgres://app:hunter2@127.0.0.1:1/chat";
  const failure = await startServer({
    port: 0,
    host: "127.0.0.1",
    env: { DATABASE_URL: url },
    logger: { log() {} },
  }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(StoreUnavailableError);
  expect(String(failure)).toMatch(/Can't connect to DATABASE_URL postgres:\/\/127\.0\.0\.1:1\/chat/);
  expect(String(failure)).not.toMatch(/hunter2/);

  const child = await spawnServer({ DATABASE_URL: url }).catch((error: unknown) => error);
  expect(String(child)).toMatch(/exited with 1 before listening/);
  expect(String(child)).not.toMatch(/hunter2/);
});

it("refuses a DATABASE_URL that is not PostgreSQL and a table prefix that isn't a plain identifier (exit 2)", async () => {
  const envs: Array<Record<string, string>> = [
    { DATABASE_URL: "mysql://127.0.0.1/db" },
    { DATABASE_TABLE_PREFIX: "x; DROP TABLE users" },
  ];
  for (const env of envs) {
    const child = await spawnServer(env).catch((error: unknown) => error);
    expect(String(child)).toMatch(/exited with 2 before listening/);
  }
});
