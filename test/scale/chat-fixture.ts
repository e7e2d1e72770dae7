import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageManifest } from "@echogate/common/image-manifest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** NODE_PATH so the CommonJS fixture can require `ws` from this repo's node_modules. */
export const FIXTURE_ENV = { NODE_PATH: `${repoRoot}node_modules` };

/**
 * A small chat server following the server contract the smoke's default ws-json spec expects
 * (join → joined, chat-message broadcast to the room), whose /health reports `instance` read at
 * startup from the metadata server (GCE_METADATA_HOST), falling back to a random per-process id.
 * With REDIS_URL it shares room messages through Redis pub/sub (channel prefix REDIS_PREFIX), over
 * a minimal RESP client so the fixture needs no Redis library; without it rooms are per process.
 * With BROKEN_IN_REGION equal to the metadata server's region, /health answers 503 (a build that
 * only works in some regions), after BROKEN_AFTER good answers when set. On SIGTERM it tells its clients `{type:"draining"}` and exits after DRAIN_MS (default at once).
 */
export const CHAT_SERVER = String.raw`
const http = require("node:http");
const net = require("node:net");
const crypto = require("node:crypto");
const { WebSocketServer } = require("ws");

const prefix = process.env.REDIS_PREFIX || "echogate-test:";
const rooms = new Map();
let instance = "local-" + crypto.randomBytes(6).toString("hex");

function metadata(path) {
  const host = process.env.GCE_METADATA_HOST;
  if (!host) return Promise.resolve(undefined);
  const [hostname, port] = host.split(":");
  return new Promise((resolve) => {
    const req = http.get(
      { hostname, port, path: "/computeMetadata/v1/" + path, headers: { "Metadata-Flavor": "Google" } },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : undefined));
      },
    );
    req.on("error", () => resolve(undefined));
  });
}

function resp(args) {
  return "*" + args.length + "\r\n" + args.map((a) => "$" + Buffer.byteLength(a) + "\r\n" + a + "\r\n").join("");
}

function redisSocket(url) {
  const u = new URL(url);
  return net.connect({ host: u.hostname, port: Number(u.port || 6379) });
}

/** Parses RESP arrays of bulk strings (pub/sub pushes) out of a stream. */
function onPushes(socket, handler) {
  let buffer = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const parsed = parseArray(buffer);
      if (!parsed) return;
      buffer = buffer.subarray(parsed.end);
      handler(parsed.items);
    }
  });
}

function parseArray(buf) {
  const line = (at) => {
    const end = buf.indexOf("\r\n", at);
    return end < 0 ? undefined : { text: buf.subarray(at, end).toString(), next: end + 2 };
  };
  const head = line(0);
  if (!head) return undefined;
  if (head.text[0] !== "*") return { items: [head.text], end: head.next };
  const count = Number(head.text.slice(1));
  const items = [];
  let at = head.next;
  for (let i = 0; i < count; i++) {
    const h = line(at);
    if (!h) return undefined;
    if (h.text[0] === ":") { items.push(h.text.slice(1)); at = h.next; continue; }
    const len = Number(h.text.slice(1));
    if (buf.length < h.next + len + 2) return undefined;
    items.push(buf.subarray(h.next, h.next + len).toString());
    at = h.next + len + 2;
  }
  return { items, end: at };
}

let publish = (roomId, text) => deliver(roomId, text);
function deliver(roomId, text) {
  for (const ws of rooms.get(roomId) ?? []) if (ws.readyState === 1) ws.send(text);
}

async function setupRedis() {
  const url = process.env.REDIS_URL;
  if (!url) return;
  const pub = redisSocket(url);
  const sub = redisSocket(url);
  await Promise.all([pub, sub].map((s) => new Promise((ok, fail) => { s.once("connect", ok); s.once("error", fail); })));
  pub.on("data", () => {});
  onPushes(sub, (items) => {
    if (items[0] === "pmessage") deliver(items[2].slice(prefix.length), items[3]);
  });
  sub.write(resp(["PSUBSCRIBE", prefix + "*"]));
  publish = (roomId, text) => pub.write(resp(["PUBLISH", prefix + roomId, text]));
}

async function main() {
  instance = (await metadata("instance/id")) || instance;
  const region = String(await metadata("instance/region")).split("/").pop();
  const inBrokenRegion = process.env.BROKEN_IN_REGION === region;
  // BROKEN_AFTER: how many /health answers succeed before the region breaks (default: none).
  let healthy = Number(process.env.BROKEN_AFTER ?? 0);
  await setupRedis();
  const server = http.createServer((req, res) => {
    if (inBrokenRegion && healthy-- <= 0) {
      res.writeHead(503, { "content-type": "text/plain" });
      return res.end("this build can't reach its regional dependency");
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", version: process.env.APP_VERSION, revision: process.env.K_REVISION ?? null, instance }));
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      let msg;
      try { msg = JSON.parse(String(data)); } catch { return; }
      if (msg.type === "join") {
        if (!rooms.has(msg.roomId)) rooms.set(msg.roomId, new Set());
        rooms.get(msg.roomId).add(ws);
        ws.once("close", () => rooms.get(msg.roomId)?.delete(ws));
        ws.send(JSON.stringify({ type: "joined", roomId: msg.roomId, instance }));
      } else if (msg.type === "chat-message") {
        publish(msg.roomId, JSON.stringify({ ...msg, instance }));
      }
    });
  });
  process.on("SIGTERM", () => {
    for (const ws of wss.clients) ws.send(JSON.stringify({ type: "draining", instance }));
    setTimeout(() => process.exit(0), Number(process.env.DRAIN_MS ?? 0));
  });
  server.listen(Number(process.env.PORT), "0.0.0.0");
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

export interface ChatImage {
  digest: string;
  imageRef: string;
  version: string;
}

/** Writes the chat fixture into a local image store (the store contract: manifest.json + rootfs/). */
export async function writeChatImage(
  imageStoreDir: string,
  options: { version: string; env?: Record<string, string> },
): Promise<ChatImage> {
  const env = { APP_VERSION: options.version, ...FIXTURE_ENV, ...options.env };
  const hex = createHash("sha256").update(CHAT_SERVER).update(JSON.stringify(env)).digest("hex");
  const digest = `sha256:${hex}`;
  const dir = join(imageStoreDir, `sha256-${hex}`);
  await mkdir(join(dir, "rootfs"), { recursive: true });
  await writeFile(join(dir, "rootfs", "server.cjs"), CHAT_SERVER);
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest,
    name: "echogate-chat-fixture",
    version: options.version,
    gitSha: "0123456789abcdef0123456789abcdef01234567",
    createdAt: new Date().toISOString(),
    entrypoint: ["node", "server.cjs"],
    env,
    workingDir: ".",
  };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return { digest, imageRef: `local/echogate-chat-fixture@${digest}`, version: options.version };
}
