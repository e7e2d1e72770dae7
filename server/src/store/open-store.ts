import type { ServerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { MemoryStore } from "./memory-store.js";
import { PostgresStore } from "./postgres-store.js";
import type { Store } from "./store.js";

/** Direct messages kept per recipient in memory (the oldest go first). */
const MEMORY_DMS_PER_USER = 1_000;

/** DATABASE_URL set: PostgreSQL, or a startup failure when it can't be reached; never a silent fallback. */
export async function openStore(config: ServerConfig, logger: Logger): Promise<Store> {
  if (config.databaseUrl === null) return new MemoryStore(MEMORY_DMS_PER_USER);
  return PostgresStore.connect({ url: config.databaseUrl, tablePrefix: config.databaseTablePrefix, logger });
}
