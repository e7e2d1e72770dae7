import { connect } from "node:net";
import { expect, it } from "vitest";
import { spawnServer, TestClient } from "./helpers.js";

/** A WebSocket peer that completes the handshake and then ignores everything, like a phone that lost signal. */
async function stubbornPeer(port: number): Promise<() => void> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    socket.once("data", (chunk) =>
      chunk.toString().startsWith("HTTP/1.1 101") ? resolve() : reject(new Error(chunk.toString())),
    );
  });
  socket.on("error", () => {});
  return () => socket.destroy();
}

it("drains on SIGTERM: health says draining, WebSockets close with 1001, exit 0 within Cloud Run's 10 s", async () => {
  const server = await spawnServer({ SHUTDOWN_TIMEOUT_MS: "1500", APP_VERSION: "9.9.9" });
  try {
    const client = await TestClient.connect(server.url.replace("http", "ws"));
    await client.join("r1", "alice");
    const release = await stubbornPeer(server.port);

    const sentAt = Date.now();
    server.child.kill("SIGTERM");
    expect(await client.closed()).toEqual({ code: 1001, reason: "server shutting down" });

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "draining", version: "9.9.9" });

    const exit = await server.exited;
    release();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(server.stdout()).toMatch(/"message":"stopped"/);
  } finally {
    server.child.kill("SIGKILL");
  }
});
