/**
 * Scenario gate bench (run: npx tsx scripts/bench/scenarios.ts [runs] [loop runs]).
 * 1. 50 consecutive runs of every fixture scenario against a correct server (socket.io and
 *    ws-json): any failure is a flaky step and fails the bench.
 * 2. One scenario (group of three + late joiner's history) through the scenario runner vs a
 *    hand-written socket.io-client doing the same steps; the ratio's target is ≤ 1.2.
 */

import { spawn } from "node:child_process";
import { once as onceEvent } from "node:events";
import { io as connect, type Socket } from "socket.io-client";
import type { ScenarioSpec } from "../../deploy/config/scenario-spec.js";
import { parseSmokeSpec } from "../../deploy/smoke/load-spec.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { runScenario } from "../../deploy/smoke/scenario/run-scenario.js";
import { parseServiceUrl } from "../../deploy/smoke/service-url.js";
import { socketIoScenarios, wsScenarios } from "../../test/fixtures/scenario-servers/scenarios.js";
import { nextEvent } from "./shared/socket-events.js";
import { printQuantiles, quantile } from "./shared/stats.js";

const RUNS = Number(process.argv[2] ?? 100);
const LOOP = Number(process.argv[3] ?? 50);
const WARMUP = 10;

/** The fixture server in a process of its own, so its work is not counted as the client's. */
async function startFixture(protocol: string): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/scenario-servers/main.ts", protocol, "correct"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [chunk] = (await onceEvent(child.stdout!, "data")) as [Buffer];
  return {
    url: chunk.toString().trim(),
    close: async () => {
      child.kill("SIGTERM");
      await onceEvent(child, "exit");
    },
  };
}

const socketIo = await startFixture("socket.io");
const ws = await startFixture("ws-json");

// --- 1. the loop ---
let failures = 0;
const loopStarted = performance.now();
for (let run = 0; run < LOOP; run++) {
  for (const [url, protocol, scenarios] of [
    [socketIo.url, "socket.io", socketIoScenarios],
    [ws.url, "ws-json", wsScenarios],
  ] as const) {
    const result = await runSmoke(url, { echo: { protocol, clients: 3 }, scenarios });
    for (const check of result.checks.filter((c) => !c.ok)) {
      failures++;
      console.log(`run ${run} ${protocol}: ${check.name}: ${check.detail}`);
    }
  }
}
console.log(
  `scenarios.loop runs=${LOOP} scenarios_per_run=${socketIoScenarios.length + wsScenarios.length} failures=${failures} total_s=${((performance.now() - loopStarted) / 1000).toFixed(1)}`,
);

// --- 2. runner vs hand-written ---
const spec = parseSmokeSpec({
  echo: { protocol: "socket.io" },
  scenarios: socketIoScenarios.filter((s) => s.name === "group-history"),
});
const scenario: ScenarioSpec = spec.scenarios[0]!;
const service = parseServiceUrl(socketIo.url);

/** Wall and CPU ms of one run (the fixture server has a process of its own: the CPU is the client's). */
async function measured(work: () => Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

async function runnerRun(index: number): Promise<void> {
  const result = await runScenario(scenario, {
    service,
    echo: spec.echo,
    nonce: `r${index}`,
    room: `runner-${index}`,
    signal: new AbortController().signal,
  });
  if (!result.ok) throw new Error(`runner failed: ${result.diagnosis}`);
}

function open(name: string, nonce: string): Promise<Socket> {
  const socket = connect(socketIo.url, {
    transports: ["websocket"],
    forceNew: true,
    multiplex: false,
    reconnection: false,
    auth: { userId: `${name}-${nonce}` },
  });
  return new Promise((resolve) => socket.once("connect", () => resolve(socket)));
}

function close(socket: Socket): Promise<void> {
  const gone = new Promise<void>((resolve) => socket.io.once("close", () => resolve()));
  socket.disconnect();
  return gone;
}

/** The same steps as group-history, written by hand: each join waits for the server's history. */
async function handRun(index: number): Promise<void> {
  const nonce = `h${index}`;
  const room = `hand-${index}`;
  const text = `hello ${nonce}`;
  const members: Socket[] = [];
  members.push(...(await Promise.all(["alice", "bob", "carol"].map((name) => open(name, nonce)))));
  for (const member of members) {
    const history = nextEvent(member, "history");
    member.emit("join-room", { roomId: room });
    await history;
  }
  const received = members.map((m) =>
    nextEvent<{ text?: string }>(m, "chat-message", (p) => p.text === text),
  );
  members[0]!.emit("chat-message", { roomId: room, text });
  await Promise.all(received);
  const dave = await open("dave", nonce);
  const history = nextEvent<{ messages: Array<{ text?: string }> }>(dave, "history", (p) =>
    p.messages.some((m) => m.text === text),
  );
  dave.emit("join-room", { roomId: room });
  await history;
  await Promise.all([...members, dave].map(close));
}

const runner = { wall: [] as number[], cpu: [] as number[] };
const hand = { wall: [] as number[], cpu: [] as number[] };
for (let i = 0; i < WARMUP + RUNS; i++) {
  // Interleaved, each first every other time, so load on the shared machine hits both alike.
  let r: { ms: number; cpuMs: number };
  let h: { ms: number; cpuMs: number };
  if (i % 2 === 0) {
    r = await measured(() => runnerRun(i));
    h = await measured(() => handRun(i));
  } else {
    h = await measured(() => handRun(i));
    r = await measured(() => runnerRun(i));
  }
  if (i < WARMUP) continue;
  runner.wall.push(r.ms);
  runner.cpu.push(r.cpuMs);
  hand.wall.push(h.ms);
  hand.cpu.push(h.cpuMs);
}
printQuantiles("scenarios.runner_ms", runner.wall);
printQuantiles("scenarios.hand_ms", hand.wall);
printQuantiles("scenarios.runner_cpu_ms", runner.cpu);
printQuantiles("scenarios.hand_cpu_ms", hand.cpu);
const ratio = quantile(runner.wall, 0.5) / quantile(hand.wall, 0.5);
console.log(
  `scenarios.runner_vs_hand ratio=${ratio.toFixed(2)} cpu_ratio=${(quantile(runner.cpu, 0.5) / quantile(hand.cpu, 0.5)).toFixed(2)} runs=${RUNS} (target <= 1.2: ${ratio <= 1.2 ? "ok" : "MISSED"})`,
);

await socketIo.close();
await ws.close();
process.exitCode = failures > 0 ? 1 : 0;
