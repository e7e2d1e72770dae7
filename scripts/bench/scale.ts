/**
 * Scale-out through the Redis backplane (run: npx tsx scripts/bench/scale.ts).
 * 1. Cross-instance delivery (sender on instance A, receiver on B, through Redis) vs the same
 *    delivery inside one in-memory instance: p50/p99 and their ratio.
 * 2. 2,000 clients spread over 2 instances (200 rooms of 10, 5 per instance), every client sends
 *    one message: delivered/lost and delivery p50/p99.
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); without it, says so and skips.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { BenchClient, fmt, quantile, roundTrips } from "./server-load/clients.js";
import { type BenchServer, startBenchServer } from "./server-load/spawn.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES ?? 300);
const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 2_000);
const ROOM_SIZE = 10;
const line = (name: string, values: number[]) =>
  console.log(
    `${name} p50=${fmt(quantile(values, 0.5))} p99=${fmt(quantile(values, 0.99))} n=${values.length}`,
  );

const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, retryStrategy: () => null });
redis.on("error", () => undefined);
try {
  await redis.connect();
} catch {
  console.log(
    `scale: SKIPPED, no Redis at ${REDIS_URL}. Start one: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
  );
  process.exit(0);
}
const prefix = `echogate-bench:${randomBytes(4).toString("hex")}:`;
const servers: BenchServer[] = [];
const clients: BenchClient[] = [];
console.log(`scale: load average ${loadavg()[0]!.toFixed(1)} on this machine at start`);

async function server(env: Record<string, string>): Promise<BenchServer> {
  const s = await startBenchServer({ LOG_LEVEL: "error", RATE_LIMIT_PER_S: "1000", ...env });
  servers.push(s);
  return s;
}
async function client(url: string): Promise<BenchClient> {
  const c = await BenchClient.connect(url);
  clients.push(c);
  return c;
}

async function deliveryPair(senderUrl: string, receiverUrl: string, roomId: string): Promise<number[]> {
  const senders = [await client(senderUrl), await client(senderUrl)];
  const receiver = await client(receiverUrl);
  await Promise.all(senders.map((c, i) => c.join(roomId, `s${i}`)));
  await receiver.join(roomId, "r");
  await roundTrips(senders, receiver, roomId, 50);
  return roundTrips(senders, receiver, roomId, SAMPLES);
}

try {
  // --- 1. one instance in memory vs two instances through Redis ---
  const memory = await server({});
  const local = await deliveryPair(memory.wsUrl, memory.wsUrl, "pair");
  const redisEnv = { REDIS_URL, REDIS_KEY_PREFIX: prefix, SESSION_SECRET: "bench-secret" };
  const [a, b] = await Promise.all([server(redisEnv), server(redisEnv)]);
  const crossing = await deliveryPair(a.wsUrl, b.wsUrl, "pair");
  line("scale.delivery_ms.in_process", local);
  line("scale.delivery_ms.cross_instance_redis", crossing);
  console.log(
    `scale.cross_vs_in_process ratio_p50=${(quantile(crossing, 0.5) / quantile(local, 0.5)).toFixed(2)} ratio_p99=${(quantile(crossing, 0.99) / quantile(local, 0.99)).toFixed(2)}`,
  );
  for (const c of clients.splice(0)) c.close();

  // --- 2. 2,000 clients over the two instances ---
  const started = performance.now();
  const crowd: Array<{ c: BenchClient; roomId: string; peerId: string }> = [];
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, CLIENTS - i) }, async (_, k) => {
        const n = i + k;
        const c = await client(n % 2 === 0 ? a.wsUrl : b.wsUrl);
        return { c, roomId: `room-${Math.floor(n / ROOM_SIZE)}`, peerId: `p${n}` };
      }),
    );
    await Promise.all(batch.map(({ c, roomId, peerId }) => c.join(roomId, peerId)));
    crowd.push(...batch);
  }
  console.log(
    `scale.crowd connected+joined=${crowd.length} in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );

  const latencies: number[] = [];
  for (const { c } of crowd) {
    c.onMessage = (msg) => {
      if (msg.type !== "chat-message") return;
      latencies.push(performance.now() - Number((msg.message as { content: string }).content));
    };
  }
  const expected = crowd.length * ROOM_SIZE;
  // Spread the sends over ~2 s so the measuring process isn't the bottleneck.
  for (let i = 0; i < crowd.length; i++) {
    const { c, roomId } = crowd[i]!;
    c.send({ type: "chat-message", roomId, message: { id: `m${i}`, content: String(performance.now()) } });
    if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const deadline = Date.now() + 15_000;
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log(
    `scale.crowd clients=${crowd.length} instances=2 delivered=${latencies.length}/${expected} lost=${expected - latencies.length}`,
  );
  line("scale.crowd.delivery_ms", latencies);
} finally {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.map((s) => s.stop()));
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
}
