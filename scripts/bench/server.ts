/**
 * Reference server under a flood (run: npx tsx scripts/bench/server.ts).
 * A quiet room's echo latency (p50/p99) alone, then while another room holds a paused reader and a
 * flooder (a separate process), and the server's RSS meanwhile; once with the default limits
 * (send-buffer bound, rate limit), once with only the send-buffer bound (the flood reaches the
 * paused reader at full speed), and once with both lifted, to show what the limits buy.
 * Quiet senders rotate (20 connections) so none reaches its own rate limit.
 * Target: the quiet room's p99 under flood within 2 ms of its baseline, RSS bounded.
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { BenchClient, fmt, quantile, roundTrips } from "./server-load/clients.js";
import { REPO_ROOT, startBenchServer } from "./server-load/spawn.js";

const SAMPLES = Number(process.env.BENCH_SERVER_SAMPLES ?? 1_000);
const WARMUP = 50;
const FLOOD_S = Number(process.env.BENCH_SERVER_FLOOD_S ?? 5);
const CONTENT_BYTES = 3_000;
const flooderScript = fileURLToPath(new URL("./server-load/flooder.ts", import.meta.url));

const line = (name: string, values: number[]) =>
  console.log(
    `${name} p50=${fmt(quantile(values, 0.5))} p99=${fmt(quantile(values, 0.99))} n=${values.length}`,
  );

async function scenario(label: string, env: Record<string, string>, floodSeconds: number): Promise<void> {
  const server = await startBenchServer({ LOG_LEVEL: "error", ...env });
  try {
    const senders = await Promise.all(Array.from({ length: 20 }, () => BenchClient.connect(server.wsUrl)));
    await Promise.all(senders.map((c, i) => c.join("quiet", `q${i}`)));
    await roundTrips(senders, null, "quiet", WARMUP);
    const baseline = await roundTrips(senders, null, "quiet", SAMPLES);
    const rssBefore = server.rssMb();

    const flood = spawn(
      process.execPath,
      ["--import", "tsx", flooderScript, server.wsUrl, String(floodSeconds), String(CONTENT_BYTES)],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let floodOut = "";
    flood.stdout!.on("data", (chunk: Buffer) => {
      floodOut += chunk.toString();
    });
    const floodDone = new Promise<void>((resolve) => flood.once("exit", () => resolve()));
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, server.rssMb());
    }, 100);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // flooder started and flooding
    const underFlood = await roundTrips(senders, null, "quiet", SAMPLES);
    await floodDone;
    clearInterval(sampler);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const rssAfter = server.rssMb();
    const health = (await (await fetch(`${server.wsUrl.replace(/^ws/, "http")}/health`)).json()) as {
      connections: number;
    };
    for (const c of senders) c.close();

    line(`server.${label}.quiet_echo_ms.baseline`, baseline);
    line(`server.${label}.quiet_echo_ms.flood`, underFlood);
    const delta = quantile(underFlood, 0.99) - quantile(baseline, 0.99);
    console.log(`server.${label}.quiet_p99_delta_ms=${fmt(delta)} (target <= 2.00)`);
    console.log(
      `server.${label}.rss_mb before=${rssBefore.toFixed(0)} peak=${rssPeak.toFixed(0)} after=${rssAfter.toFixed(0)}`,
    );
    const result = JSON.parse(floodOut.trim() || "{}") as { sent?: number; pausedClose?: number | null };
    console.log(
      `server.${label}.flood sent=${result.sent} paused_reader_close=${result.pausedClose ?? "open"} connections_after=${health.connections - senders.length}`,
    );
  } finally {
    await server.stop();
  }
}

console.log(
  `server: load average ${loadavg()[0]!.toFixed(1)} on this machine at start (p99 is sensitive to it)`,
);
await scenario("bounded", {}, FLOOD_S);
const unlimitedRate = { RATE_LIMIT_PER_S: "1000000000", RATE_LIMIT_BURST: "1000000000" };
await scenario("buffer_bound_only", unlimitedRate, Math.min(FLOOD_S, 3));
// The limits lifted (what the server did before them), kept short: memory grows without bound.
await scenario("unbounded", { MAX_BUFFERED_BYTES: String(2 ** 40), ...unlimitedRate }, Math.min(FLOOD_S, 3));
