import { initialSeq } from "../backplane/memory-backplane.js";

/** Letters, digits and underscores, starting with a letter or underscore: safe to splice into SQL. */
export const TABLE_PREFIX_PATTERN = /^[a-z_][a-z0-9_]{0,39}$/;

/**
 * Pure: the tables (created if missing). The direct-message sequence starts at the clock in
 * microseconds on first creation, so `seq` values never go below a counter a client may still hold.
 */
export function schemaStatements(prefix: string, nowMs: number = Date.now()): string[] {
  if (!TABLE_PREFIX_PATTERN.test(prefix)) throw new Error(`unsafe table prefix ${JSON.stringify(prefix)}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${prefix}room_messages (
       room_id text NOT NULL,
       seq bigint NOT NULL,
       id text NOT NULL,
       sender text NOT NULL,
       content text NOT NULL,
       ts bigint NOT NULL,
       PRIMARY KEY (room_id, seq)
     )`,
    `CREATE SEQUENCE IF NOT EXISTS ${prefix}dm_seq START WITH ${initialSeq(nowMs)}`,
    `CREATE TABLE IF NOT EXISTS ${prefix}direct_messages (
       seq bigint PRIMARY KEY,
       id text NOT NULL,
       sender text NOT NULL,
       recipient text NOT NULL,
       content text NOT NULL,
       ts bigint NOT NULL,
       delivered_at bigint
     )`,
    `CREATE INDEX IF NOT EXISTS ${prefix}direct_messages_recipient ON ${prefix}direct_messages (recipient, seq)`,
    `CREATE INDEX IF NOT EXISTS ${prefix}direct_messages_sender ON ${prefix}direct_messages (sender, seq)`,
  ];
}
