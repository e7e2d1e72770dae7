import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestServer, TestClient, type TestServer } from "./helpers.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it.each(["/nope", "/socket.io/?EIO=4&transport=websocket", "//"])(
  "refuses a WebSocket upgrade on %s with 404",
  async (path) => {
    const ws = new WebSocket(`${server.wsUrl}${path}`);
    ws.on("error", () => {}); // terminate() during the handshake reports an abort we expect
    const [, res] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    expect(res.statusCode).toBe(404);
    ws.terminate();
    const health = (await (await fetch(`${server.url}/health`)).json()) as { connections: number };
    expect(health.connections).toBe(0);
  },
);

it("accepts the upgrade at / with a query string", async () => {
  const client = await TestClient.connect(`${server.wsUrl}/?client=smoke-1`);
  expect(await client.join("r1", "a")).toMatchObject({ type: "joined" });
  client.close();
});
