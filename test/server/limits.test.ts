import { expect, it } from "vitest";
import { TestClient, type TestServer, useTestServers } from "./helpers.js";

const servers = useTestServers();
const clients = servers.clients;
let server: TestServer | undefined;

async function client(s: TestServer): Promise<TestClient> {
  const c = await TestClient.connect(s.wsUrl);
  clients.push(c);
  return c;
}

async function health(s: TestServer): Promise<{ connections: number; rooms: number }> {
  return (await (await fetch(`${s.url}/health`)).json()) as { connections: number; rooms: number };
}

const chat = (id: string, content = id) => ({
  type: "chat-message",
  roomId: "flood",
  message: { id, content },
});

it("closes a reader that stopped reading once its send buffer is full, and forgets it", {
  timeout: 90_000,
}, async () => {
  server = await servers.start({
    MAX_BUFFERED_BYTES: "65536",
    RATE_LIMIT_PER_S: "100000",
    RATE_LIMIT_BURST: "100000",
  });
  const s = server;
  const paused = await client(s);
  const flooder = await client(s);
  await paused.join("flood", "paused");
  await flooder.join("flood", "flooder");
  paused.ws.pause();

  // Towards a reader that reads nothing, until the server drops it: at most 16 MB, far beyond
  // loopback's socket buffers. The flooder sends in batches of 8 (32 KB) and reads its own echoes
  // before the next batch, so only the paused reader's buffer can pass the limit (sent all at once,
  // the flooder's own echoes piled up on a loaded machine and the server dropped the flooder).
  const content = "x".repeat(4_000);
  const left = flooder.next("peer-left", 60_000);
  let gone = false;
  left.then(
    () => {
      gone = true;
    },
    () => undefined,
  );
  for (let batch = 0; batch < 500 && !gone; batch++) {
    for (let i = 0; i < 8; i++) flooder.send(chat(`m${batch}-${i}`, content));
    const last = `m${batch}-7`;
    await Promise.race([
      left,
      flooder.next((m) => m.type === "chat-message" && (m.message as { id?: string })?.id === last, 30_000),
    ]);
  }
  expect(await left).toMatchObject({ peerId: "paused" });
  expect(flooder.ws.readyState).toBe(flooder.ws.OPEN);
  expect(s.logs.some((l) => l.message.includes("slow consumer"))).toBe(true);
  await expect.poll(() => health(s), { timeout: 3_000 }).toMatchObject({ connections: 1, rooms: 1 });
  flooder.close();
  await expect.poll(() => health(s), { timeout: 3_000 }).toMatchObject({ connections: 0, rooms: 0 });
});

it("holds a connection to its message rate: over it, frames are dropped (said once) and reading pauses", async () => {
  server = await servers.start({ RATE_LIMIT_PER_S: "2", RATE_LIMIT_BURST: "5" });
  const c = await client(server);
  await c.join("flood", "c");
  const started = Date.now();
  for (let i = 0; i < 30; i++) c.send(chat(`m${i}`));
  expect(await c.next("error")).toMatchObject({ code: "rate-limited" });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const elapsedS = (Date.now() - started) / 1000;
  const delivered = c.messages.filter((m) => m.type === "message-delivered").length;
  // The burst left after the join (4), plus at most the refill since; never the whole flood.
  expect(delivered).toBeGreaterThanOrEqual(4);
  expect(delivered).toBeLessThanOrEqual(4 + Math.ceil(2 * elapsedS));
  expect(c.messages.filter((m) => m.type === "error")).toEqual([]);
  expect(c.ws.readyState).toBe(c.ws.OPEN);
});

it("caps the rooms one connection can join", async () => {
  server = await servers.start({ MAX_ROOMS_PER_CONNECTION: "3" });
  const c = await client(server);
  for (const room of ["a", "b", "c"]) await c.join(room, "p");
  c.send({ type: "join", roomId: "d", peerId: "p" });
  expect(await c.next("error")).toMatchObject({ code: "too-many-rooms" });
  expect((await health(server)).rooms).toBe(3);
  c.send({ type: "leave", roomId: "a" });
  await c.next("left");
  expect(await c.join("d", "p")).toMatchObject({ type: "joined", roomId: "d" });
});

it("LOG_LEVEL=error keeps INFO lines out; info lets them through", async () => {
  for (const level of ["error", "info"]) {
    const s = await servers.start({ LOG_LEVEL: level });
    const c = await TestClient.connect(s.wsUrl);
    await c.join("r", "p");
    c.send({ type: "chat-message", roomId: "r", message: { id: "m", content: "hi" } });
    await c.next("message-delivered");
    c.close();
    await s.close();
    const infos = s.logs.filter((l) => l.severity === "INFO" || l.severity === "DEBUG");
    if (level === "error") expect(infos).toEqual([]);
    else expect(infos.map((l) => l.message)).toEqual(expect.arrayContaining(["listening", "peer joined"]));
  }
});
