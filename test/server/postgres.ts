import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

export const DATABASE_URL =
  process.env.ECHOGATE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const HOW_TO_START =
  "Start it with: pg_ctlcluster 15 main start (or docker run -d -p 127.0.0.1:5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15), or point ECHOGATE_TEST_DATABASE_URL at one";

/** A client to the test database; throws (never skips) when it is not there. */
export async function requirePostgres(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`These tests need PostgreSQL at ${DATABASE_URL} (${String(error)}). ${HOW_TO_START}.`);
  }
  return client;
}

/** A table prefix of its own per test, so tests can share one database. */
export function testTablePrefix(): string {
  return `eg_test_${randomBytes(5).toString("hex")}_`;
}

/** Drops every table and sequence whose name starts with `prefix`. */
export async function dropTables(client: pg.Client, prefix: string): Promise<void> {
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'S') AND starts_with(c.relname, $1)`,
    [prefix],
  );
  for (const row of rows) {
    await client.query(`DROP ${row.kind === "r" ? "TABLE" : "SEQUENCE"} IF EXISTS ${row.name} CASCADE`);
  }
}

export async function tablesUnder(client: pg.Client, prefix: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'S') AND starts_with(relname, $1) ORDER BY 1`,
    [prefix],
  );
  return rows.map((row) => row.name);
}

export type StoreKind = "memory" | "postgres";

/**
 * For a test file whose servers run on either store: the file's PostgreSQL client, and each
 * server's store settings (PostgreSQL under a table prefix of its own, dropped after the file).
 */
export function useTestStores(): { db(): pg.Client; storeEnv(kind: StoreKind): Record<string, string> } {
  let db: pg.Client | undefined;
  const prefixes: string[] = [];
  beforeAll(async () => {
    db = await requirePostgres();
  });
  afterAll(async () => {
    if (!db) return;
    for (const prefix of prefixes) await dropTables(db, prefix);
    await db.end();
  });
  return {
    db: () => db!,
    storeEnv(kind): Record<string, string> {
      if (kind === "memory") return {};
      const prefix = testTablePrefix();
      prefixes.push(prefix);
      return { DATABASE_URL, DATABASE_TABLE_PREFIX: prefix };
    },
  };
}
