import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { writeChatImage } from "../scale/chat-fixture.js";
import { allowPublic, PARENT, serviceName, type TestEmulator, useTestEmulator } from "./helpers.js";

interface Health {
  instance: string;
  revision: string;
}

async function health(url: string, cookie?: string): Promise<{ body: Health; cookie: string | undefined }> {
  const res = await fetch(`${url}/health`, {
    headers: { connection: "close", ...(cookie ? { cookie } : {}) },
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("GAESA="));
  return { body: (await res.json()) as Health, cookie: setCookie?.split(";")[0] };
}

interface Client {
  ws: WebSocket;
  instance: string;
  messages: Record<string, unknown>[];
  closed: Promise<number>;
}

/** Connects, joins `room`, resolves with the instance the server says it joined on. */
function join(url: string, room: string, cookie?: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), cookie ? { headers: { cookie } } : {});
    const messages: Record<string, unknown>[] = [];
    const closed = new Promise<number>((done) => ws.once("close", (code) => done(code)));
    const timer = setTimeout(() => reject(new Error("no joined")), 3_000);
    ws.once("open", () => ws.send(JSON.stringify({ type: "join", roomId: room })));
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      messages.push(message);
      if (message.type === "joined") {
        clearTimeout(timer);
        resolve({ ws, instance: String(message.instance), messages, closed });
      }
    });
    ws.once("error", reject);
  });
}

const chatIds = (client: Client) =>
  client.messages.filter((m) => m.type === "chat-message").map((m) => (m.message as { id: string }).id);

/** Resolves once `client` has received the chat message `id`. */
function received(client: Client, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!chatIds(client).includes(id)) return;
      clearTimeout(timer);
      client.ws.off("message", check);
      resolve();
    };
    const timer = setTimeout(() => reject(new Error(`${id} never arrived`)), 3_000);
    // Registered after join()'s own listener, so `messages` already holds the new one.
    client.ws.on("message", check);
    check();
  });
}

async function deploy(t: TestEmulator, id: string, template: Record<string, unknown>) {
  const [op] = await t.clients.services.createService({
    parent: PARENT,
    serviceId: id,
    service: { template },
  });
  const [service] = await op.promise();
  await allowPublic(t.clients, id);
  return service;
}

describe("several instances per revision", () => {
  let image: string;
  const open: WebSocket[] = [];
  const t = useTestEmulator({ idleStopMs: 200, terminationGraceMs: 1_500, pendingTimeoutMs: 500 });
  beforeAll(async () => {
    image = (await writeChatImage(t.imageStoreDir, { version: "1.0.0" })).imageRef;
  });
  afterAll(async () => {
    for (const ws of open) ws.terminate();
  });

  it("starts minInstances eagerly, each with its own metadata instance id", async () => {
    const service = await deploy(t, "pool", {
      containers: [{ image }],
      scaling: { minInstanceCount: 2, maxInstanceCount: 2 },
      sessionAffinity: true,
    });
    const running = Object.values(t.emulator.revisionInstances())[0]!;
    expect(running).toHaveLength(2);
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) seen.add((await health(service.uri!)).body.instance);
    expect(seen).toEqual(new Set(running.map((r) => r.id)));
  });

  it("keeps a client on the instance its affinity cookie names, WebSocket upgrades included", async () => {
    const uri = (await t.clients.services.getService({ name: serviceName("pool") }))[0].uri!;
    const first = await health(uri);
    expect(first.cookie).toMatch(/^GAESA=/);
    for (let i = 0; i < 5; i++)
      expect((await health(uri, first.cookie)).body.instance).toBe(first.body.instance);
    const client = await join(uri, "r1", first.cookie);
    open.push(client.ws);
    expect(client.instance).toBe(first.body.instance);
  });

  it("without a backplane a message stays on its instance; clients are balanced across both", async () => {
    const uri = (await t.clients.services.getService({ name: serviceName("pool") }))[0].uri!;
    // As the smoke places clients: read /health, connect with its cookie, repeat until both differ.
    const a = await health(uri);
    const ca = await join(uri, "r2", a.cookie);
    let b = await health(uri);
    for (let i = 0; i < 30 && b.body.instance === a.body.instance; i++) b = await health(uri);
    const cb = await join(uri, "r2", b.cookie);
    open.push(ca.ws, cb.ws);
    expect(ca.instance).not.toBe(cb.instance);
    ca.ws.send(JSON.stringify({ type: "chat-message", roomId: "r2", message: { id: "m1" } }));
    await received(ca, "m1");
    // A later message on cb's instance reaches cb: a path from ca's instance (a backplane) would
    // have carried m1, sent first, before it.
    cb.ws.send(JSON.stringify({ type: "chat-message", roomId: "r2", message: { id: "m2" } }));
    await received(cb, "m2");
    expect(chatIds(cb)).toEqual(["m2"]);
    expect(chatIds(ca)).toEqual(["m1"]);
  });

  it("starts another instance when every one holds `concurrency` connections, up to maxInstances; then 429", async () => {
    const service = await deploy(t, "burst", {
      containers: [{ image }],
      scaling: { maxInstanceCount: 2 },
      maxInstanceRequestConcurrency: 1,
    });
    const key = Object.keys(t.emulator.revisionInstances()).find((k) => k.includes("/services/burst/"))!;
    expect(t.emulator.revisionInstances()[key]).toHaveLength(1);
    const clients = [];
    for (let i = 0; i < 2; i++) clients.push(await join(service.uri!, "b"));
    open.push(...clients.map((c) => c.ws));
    expect(t.emulator.revisionInstances()[key]).toHaveLength(2);
    expect(new Set(clients.map((c) => c.instance)).size).toBe(2);
    await expect(join(service.uri!, "b")).rejects.toThrow("Unexpected server response: 429");
    expect(t.emulator.revisionInstances()[key]).toHaveLength(2);
  });

  it("closes a WebSocket when the request timeout elapses", async () => {
    const service = await deploy(t, "short", { containers: [{ image }], timeout: { seconds: 1 } });
    const client = await join(service.uri!, "t");
    const started = Date.now();
    await client.closed;
    expect(Date.now() - started).toBeGreaterThan(700);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("stops every instance of a revision that loses its traffic with SIGTERM (clients drained)", async () => {
    const other = (await writeChatImage(t.imageStoreDir, { version: "2.0.0", env: { DRAIN_MS: "200" } }))
      .imageRef;
    const drainImage = (await writeChatImage(t.imageStoreDir, { version: "1.0.1", env: { DRAIN_MS: "200" } }))
      .imageRef;
    const service = await deploy(t, "drain", {
      containers: [{ image: drainImage }],
      scaling: { minInstanceCount: 2, maxInstanceCount: 2 },
    });
    const oldKey = service.latestReadyRevision!;
    const oldPids = t.emulator.revisionInstances()[oldKey]!.map((i) => i.pid);
    expect(oldPids).toHaveLength(2);
    const client = await join(service.uri!, "d");
    const [current] = await t.clients.services.getService({ name: serviceName("drain") });
    const [op] = await t.clients.services.updateService({
      service: {
        ...current,
        template: { ...current.template, revision: "drain-next", containers: [{ image: other }] },
      },
    });
    await op.promise();
    await client.closed;
    expect(client.messages.some((m) => m.type === "draining")).toBe(true);
    for (let i = 0; i < 30 && t.emulator.revisionInstances()[oldKey]; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(t.emulator.revisionInstances()[oldKey]).toBeUndefined();
    const serving = await health(service.uri!);
    expect(serving.body.revision).toBe("drain-next");
  });
});
