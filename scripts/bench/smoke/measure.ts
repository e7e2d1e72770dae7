/**
 * The smoke gate bench's measurements, run bundled by scripts/bench/smoke.ts (not directly).
 * The gate against the reference server on loopback, then the gate vs a hand-written
 * socket.io-client loop doing the same work against a Socket.IO server.
 */
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import { defaultSmokeSpec, type SmokeSpecInput } from "../../../deploy/config/smoke-spec.js";
import { parseSmokeSpec } from "../../../deploy/smoke/load-spec.js";
import { runSmoke } from "../../../deploy/smoke/run-smoke.js";
import { startServer } from "../../../server/src/start-server.js";
import { nextEvent } from "../shared/socket-events.js";
import { printQuantiles, quantile } from "../shared/stats.js";

const RUNS = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const VERSION = "0.0.0+bench";

async function gateRuns(url: string, spec: SmokeSpecInput): Promise<{ wall: number[]; echo: number[] }> {
  const wall: number[] = [];
  const echo: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const started = performance.now();
    const result = await runSmoke(url, spec, { expectVersion: VERSION });
    const ms = performance.now() - started;
    if (!result.ok) throw new Error(`gate failed: ${JSON.stringify(result.checks)}`);
    if (i < WARMUP) continue;
    wall.push(ms);
    for (const value of Object.values(result.latencies.echoMs)) if (value !== null) echo.push(value);
  }
  return { wall, echo };
}

// --- 1. the gate against the reference server (ws-json) ---
const reference = await startServer({
  port: 0,
  host: "127.0.0.1",
  env: { APP_VERSION: VERSION },
  logger: { log: () => undefined },
});
const wsJson = await gateRuns(reference.url, defaultSmokeSpec());
printQuantiles("smoke.gate_ms", wsJson.wall);
printQuantiles("smoke.echo_ms", wsJson.echo);
await reference.close();

// --- 2. socket.io: the gate vs a hand-written loop doing the same work ---
const http = createServer((req, res) => {
  if (req.url === "/health")
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version: VERSION }));
  else res.writeHead(404).end();
});
const ioServer = new Server(http);
ioServer.on("connection", (socket) => {
  socket.on("join-room", (payload: { roomId: string }) => {
    void socket.join(payload.roomId);
    socket.emit("room-peers", { roomId: payload.roomId, peers: [] });
  });
  socket.on("chat-message", (payload: { roomId: string; message: { id: string } }) => {
    ioServer.to(payload.roomId).emit("chat-message", { ...payload.message, ts: Date.now() });
  });
});
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
const ioUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

const ioSpec = parseSmokeSpec({
  echo: {
    protocol: "socket.io",
    join: {
      event: "join-room",
      payload: { roomId: "{{room}}", peerId: "{{client}}" },
      waitFor: { event: "room-peers" },
    },
    send: {
      event: "chat-message",
      payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "bench" } },
    },
    expect: { event: "chat-message", match: { id: "{{nonce}}" } },
  },
} satisfies SmokeSpecInput);

function healthOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    get(`${ioUrl}/health`, { agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => (JSON.parse(body).version === VERSION ? resolve() : reject(new Error("version"))));
    }).on("error", reject);
  });
}

async function handRun(index: number): Promise<number[]> {
  await healthOnce();
  const room = `bench-${index}`;
  const id = `n-${index}`;
  const clients = [0, 1].map(() =>
    connect(ioUrl, { transports: ["websocket"], forceNew: true, multiplex: false, reconnection: false }),
  );
  await Promise.all(clients.map((client) => nextEvent(client, "connect")));
  await Promise.all(
    clients.map((client, i) => {
      const peers = nextEvent(client, "room-peers");
      client.emit("join-room", { roomId: room, peerId: `hand-${i + 1}` });
      return peers;
    }),
  );
  const received = clients.map((client) =>
    nextEvent<{ id: string }>(client, "chat-message", (message) => message.id === id).then(() =>
      performance.now(),
    ),
  );
  const sent = performance.now();
  clients[0]!.emit("chat-message", { roomId: room, message: { id, content: "bench" } });
  const times = await Promise.all(received);
  const closed = clients.map(
    (client) => new Promise<void>((resolve) => client.io.once("close", () => resolve())),
  );
  for (const client of clients) client.disconnect();
  await Promise.all(closed);
  return times.map((at) => at - sent);
}

/** Wall and CPU (this process: the client and the in-process server) of one run of `work`. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

// Interleaved, each first every other time, so load from anything else on the machine (and the
// server's teardown of the run before) hits both sides alike.
const gateIo = { wall: [] as number[], echo: [] as number[], cpu: [] as number[] };
const hand = { wall: [] as number[], echo: [] as number[], cpu: [] as number[] };
for (let i = 0; i < WARMUP + RUNS; i++) {
  const gateRun = () => measured(() => runSmoke(ioUrl, ioSpec, { expectVersion: VERSION }));
  const handRunOf = () => measured(() => handRun(i));
  let gate: Awaited<ReturnType<typeof gateRun>>;
  let byHand: Awaited<ReturnType<typeof handRunOf>>;
  if (i % 2 === 0) {
    gate = await gateRun();
    byHand = await handRunOf();
  } else {
    byHand = await handRunOf();
    gate = await gateRun();
  }
  if (!gate.value.ok) throw new Error(`gate failed: ${JSON.stringify(gate.value.checks)}`);
  if (i < WARMUP) continue;
  gateIo.wall.push(gate.ms);
  gateIo.cpu.push(gate.cpuMs);
  gateIo.echo.push(...Object.values(gate.value.latencies.echoMs).filter((ms): ms is number => ms !== null));
  hand.wall.push(byHand.ms);
  hand.cpu.push(byHand.cpuMs);
  hand.echo.push(...byHand.value);
}
printQuantiles("smoke.socketio.gate_ms", gateIo.wall);
printQuantiles("smoke.socketio.hand_ms", hand.wall);
printQuantiles("smoke.socketio.gate_echo_ms", gateIo.echo);
printQuantiles("smoke.socketio.hand_echo_ms", hand.echo);
printQuantiles("smoke.socketio.gate_cpu_ms", gateIo.cpu);
printQuantiles("smoke.socketio.hand_cpu_ms", hand.cpu);
const wallRatio = quantile(gateIo.wall, 0.5) / quantile(hand.wall, 0.5);
console.log(
  `smoke.socketio.overhead wall=${wallRatio.toFixed(2)}x echo=${(quantile(gateIo.echo, 0.5) / quantile(hand.echo, 0.5)).toFixed(2)}x cpu=${(quantile(gateIo.cpu, 0.5) / quantile(hand.cpu, 0.5)).toFixed(2)}x runs=${RUNS} (target wall <= 1.1x: ${wallRatio <= 1.1 ? "ok" : "MISSED"})`,
);
ioServer.close();
