import pg from "pg";
import type { Logger } from "../logger.js";
import type { ChatMessage, DirectMessage } from "../protocol.js";
import { describeDatabaseUrl } from "./database-url.js";
import { schemaStatements } from "./postgres-schema.js";
import type { RoomArchive, Store } from "./store.js";

export interface PostgresStoreOptions {
  url: string;
  /** Every table name starts with it, so several deployments (or tests) can share one database. */
  tablePrefix: string;
  logger: Logger;
  connectTimeoutMs?: number;
  /** How long one query may take before it fails (and /health reports the database down). */
  queryTimeoutMs?: number;
}

export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}

interface RoomRow {
  id: string;
  content: string;
  sender: string;
  ts: string;
  seq: string;
}

interface DmRow extends RoomRow {
  recipient: string;
}

// bigint columns come back as strings; every value here is below 2^53 (seq is clock microseconds).
const toChat = (row: RoomRow): ChatMessage => ({
  id: row.id,
  content: row.content,
  from: row.sender,
  ts: Number(row.ts),
  seq: Number(row.seq),
});
const toDm = (row: DmRow): DirectMessage => ({ ...toChat(row), to: row.recipient });

/**
 * PostgreSQL through `pg`: room messages and direct messages in two tables (created at start if
 * missing). Room rows carry the backplane's `seq`; direct messages get theirs from a sequence
 * seeded from the clock, like every other counter here.
 */
export class PostgresStore implements Store {
  readonly kind = "postgres";
  readonly rooms: RoomArchive;
  readonly #pool: pg.Pool;
  readonly #rooms: string;
  readonly #dms: string;
  readonly #dmSeq: string;

  private constructor(pool: pg.Pool, prefix: string) {
    this.#pool = pool;
    this.#rooms = `${prefix}room_messages`;
    this.#dms = `${prefix}direct_messages`;
    this.#dmSeq = `${prefix}dm_seq`;
    this.rooms = {
      append: (roomId, message) => this.#appendRoom(roomId, message),
      history: (roomId, sinceSeq, limit) => this.#roomHistory(roomId, sinceSeq, limit),
    };
  }

  /** Connects and creates the tables, or throws StoreUnavailableError naming the URL without credentials. */
  static async connect(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      query_timeout: options.queryTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
    });
    let lastErrorLogMs = 0;
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on("error", (error) => {
      if (Date.now() - lastErrorLogMs < 5_000) return;
      lastErrorLogMs = Date.now();
      options.logger.log("ERROR", "PostgreSQL connection error; reconnecting on the next query", {
        database: describeDatabaseUrl(options.url),
        error: error.message,
      });
    });
    try {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        // Instances starting together must not race on CREATE TABLE IF NOT EXISTS.
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
          `echogate-schema:${options.tablePrefix}`,
        ]);
        for (const statement of schemaStatements(options.tablePrefix)) await client.query(statement);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(
        `Can't connect to DATABASE_URL ${describeDatabaseUrl(options.url)}: ${reason}. Start PostgreSQL or unset DATABASE_URL to keep messages in memory.`,
      );
    }
    return new PostgresStore(pool, options.tablePrefix);
  }

  async #appendRoom(roomId: string, message: ChatMessage): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#rooms} (room_id, seq, id, sender, content, ts) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (room_id, seq) DO NOTHING`,
      [roomId, message.seq, message.id, message.from, message.content, message.ts],
    );
  }

  async #roomHistory(roomId: string, sinceSeq: number, limit: number): Promise<ChatMessage[]> {
    if (limit <= 0) return [];
    const { rows } = await this.#pool.query<RoomRow>(
      `SELECT id, content, sender, ts, seq FROM (
         SELECT * FROM ${this.#rooms} WHERE room_id = $1 AND seq > $2 ORDER BY seq DESC LIMIT $3
       ) AS latest ORDER BY seq ASC`,
      [roomId, sinceSeq, limit],
    );
    return rows.map(toChat);
  }

  async saveDm(draft: Omit<DirectMessage, "seq">): Promise<DirectMessage> {
    const { rows } = await this.#pool.query<{ seq: string }>(
      `INSERT INTO ${this.#dms} (seq, id, sender, recipient, content, ts)
       VALUES (nextval('${this.#dmSeq}'), $1, $2, $3, $4, $5) RETURNING seq`,
      [draft.id, draft.from, draft.to, draft.content, draft.ts],
    );
    return { ...draft, seq: Number(rows[0]!.seq) };
  }

  async pendingDms(userId: string, sinceSeq: number | undefined, limit: number): Promise<DirectMessage[]> {
    const { rows } = await this.#pool.query<DmRow>(
      sinceSeq === undefined
        ? `SELECT * FROM ${this.#dms} WHERE recipient = $1 AND delivered_at IS NULL ORDER BY seq ASC LIMIT $2`
        : `SELECT * FROM ${this.#dms} WHERE recipient = $1 AND seq > $3 ORDER BY seq ASC LIMIT $2`,
      sinceSeq === undefined ? [userId, limit] : [userId, limit, sinceSeq],
    );
    return rows.map(toDm);
  }

  async setDelivered(userId: string, seqs: readonly number[], delivered: boolean): Promise<void> {
    if (seqs.length === 0) return;
    await this.#pool.query(
      `UPDATE ${this.#dms} SET delivered_at = $3 WHERE recipient = $1 AND seq = ANY($2::bigint[])`,
      [userId, seqs, delivered ? Date.now() : null],
    );
  }

  async conversation(userId: string, sinceSeq: number, limit: number): Promise<DirectMessage[]> {
    const { rows } = await this.#pool.query<DmRow>(
      `SELECT * FROM (
         SELECT * FROM ${this.#dms} WHERE (recipient = $1 OR sender = $1) AND seq > $2 ORDER BY seq DESC LIMIT $3
       ) AS latest ORDER BY seq ASC`,
      [userId, sinceSeq, limit],
    );
    return rows.map(toDm);
  }

  async ping(): Promise<boolean> {
    try {
      await this.#pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
