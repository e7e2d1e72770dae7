import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** The Redis the tests share; ECHOGATE_TEST_REDIS_URL points elsewhere (REDIS_URL is the server's own). */
export const REDIS_URL = process.env.ECHOGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const HOW_TO_START =
  'Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** A client to the test Redis; throws, saying how to start it, when it is not there (never skips). */
export async function connectTestRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`These tests need Redis at ${REDIS_URL} (${String(error)}). ${HOW_TO_START}`);
  }
  return redis;
}

/** Throws, saying how to start it, unless the test Redis answers: for tests that hand REDIS_URL to a server. */
export async function requireRedis(): Promise<void> {
  (await connectTestRedis()).disconnect();
}

/** A key and channel prefix of its own per call, so tests (and parallel runs) can share one Redis. */
export function testPrefix(name = "test"): string {
  return `echogate-test:${name}:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found.sort();
}
