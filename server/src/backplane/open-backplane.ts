import type { ServerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { Backplane } from "./backplane.js";
import { MemoryBackplane } from "./memory-backplane.js";
import { RedisBackplane } from "./redis-backplane.js";

/** REDIS_URL set: Redis, or a startup failure when it can't be reached; never a silent fallback. */
export async function openBackplane(
  config: ServerConfig,
  instance: string,
  logger: Logger,
): Promise<Backplane> {
  if (config.redisUrl === null) return new MemoryBackplane(config.historyLimit);
  return RedisBackplane.connect({
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    instance,
    historyLimit: config.historyLimit,
    presenceTtlMs: config.presenceTtlMs,
    logger,
  });
}
