import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, TestClient, type TestServer } from "./helpers.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ HEARTBEAT_INTERVAL_MS: "100" });
});
afterAll(() => server.close());

it("terminates connections that miss a pong and empties their rooms", async () => {
  const dead = await TestClient.connect(server.wsUrl, { autoPong: false });
  const live = await TestClient.connect(server.wsUrl);
  await dead.join("r1", "ghost");
  await live.join("r1", "alive");

  const started = Date.now();
  const { code } = await dead.closed(2_000);
  expect(code).toBe(1006);
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(await live.next("peer-left")).toMatchObject({ peerId: "ghost" });
  expect(live.ws.readyState).toBe(live.ws.OPEN);
  expect(server.logs.some((l) => l.message.includes("missed a heartbeat"))).toBe(true);
  live.close();
});
