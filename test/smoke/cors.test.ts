import { describe, expect, it } from "vitest";
import { corsVerdict } from "../../deploy/smoke/cors-check.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { socketIoSpec, startSocketIoChat } from "./helpers.js";

const SITE = "https://chat.example.com";

describe("the gate judges CORS as a browser on the site would", () => {
  it("refuses a Socket.IO server whose polling answers leave the site's origin out, and passes it once allowed", async () => {
    for (const [corsOrigins, ok] of [
      [undefined, false],
      [["https://other.example.com"], false],
      [[SITE], true],
    ] as const) {
      const server = await startSocketIoChat({
        includeSender: true,
        ...(corsOrigins ? { corsOrigins: [...corsOrigins] } : {}),
      });
      try {
        const result = await runSmoke(server.url, socketIoSpec(["polling", "websocket"]), { origin: SITE });
        const cors = result.checks.find((check) => check.name === "cors");
        expect(cors?.ok, `${corsOrigins}: ${cors?.detail}`).toBe(ok);
        expect(result.ok).toBe(ok);
        if (!ok) expect(cors?.detail).toContain(`add ${SITE} to the server's CORS origins`);
        // Node's client ignores CORS: the echo itself gets through either way.
        expect(result.checks.find((check) => check.name === "echo")?.ok).toBe(true);
      } finally {
        await server.close();
      }
    }
  });

  it("does not apply without a page origin, or to a WebSocket-only client", async () => {
    const server = await startSocketIoChat({ includeSender: true });
    try {
      const cli = await runSmoke(server.url, socketIoSpec(["polling", "websocket"]));
      const websocket = await runSmoke(server.url, socketIoSpec(["websocket"]), { origin: SITE });
      for (const result of [cli, websocket]) {
        expect(result.checks.map((check) => check.name)).not.toContain("cors");
        expect(result.ok).toBe(true);
      }
    } finally {
      await server.close();
    }
  });

  it.each([
    [200, SITE, true],
    [200, "*", true],
    [200, undefined, false],
    [200, "https://chat.example.com.evil.test", false],
    [400, SITE, false],
  ] as const)("status %i with Access-Control-Allow-Origin %j: allowed %j", (status, allow, ok) => {
    expect(corsVerdict(SITE, status, allow)[0]).toBe(ok);
  });
});
