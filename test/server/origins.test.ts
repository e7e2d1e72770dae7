import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestServer, TestClient, type TestServer } from "./helpers.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ ALLOWED_ORIGINS: "https://app.example, https://staging.app.example" });
});
afterAll(() => server.close());

it("rejects WebSocket upgrades from other origins with 403", async () => {
  const ws = new WebSocket(server.wsUrl, { origin: "https://evil.example" });
  ws.on("error", () => {}); // terminate() during the handshake reports an abort we expect
  const [, res] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
  expect(res.statusCode).toBe(403);
  ws.terminate();
  expect(server.logs.some((l) => l.message.includes("rejected websocket upgrade"))).toBe(true);
});

it("accepts listed origins and requests without an Origin", async () => {
  const listed = await TestClient.connect(server.wsUrl, { origin: "https://staging.app.example" });
  const none = await TestClient.connect(server.wsUrl);
  expect(await listed.join("r1", "a")).toMatchObject({ type: "joined" });
  expect(await none.join("r1", "b")).toMatchObject({ type: "joined" });
  listed.close();
  none.close();
});

it("applies the same list to HTTP", async () => {
  const denied = await fetch(`${server.url}/health`, { headers: { origin: "https://evil.example" } });
  expect(denied.status).toBe(403);
  const allowed = await fetch(`${server.url}/health`, { headers: { origin: "https://app.example" } });
  expect(allowed.status).toBe(200);
  expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
});

it("ALLOWED_ORIGINS set but empty allows no browser origin, only requests without one", async () => {
  const closed = await startTestServer({ ALLOWED_ORIGINS: "" });
  try {
    const ws = new WebSocket(closed.wsUrl, { origin: "https://app.example" });
    ws.on("error", () => {});
    const [, res] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    expect(res.statusCode).toBe(403);
    ws.terminate();
    const none = await TestClient.connect(closed.wsUrl);
    none.close();
  } finally {
    await closed.close();
  }
});
