import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_CLIENTS } from "../../deploy/config/smoke-spec.js";
import { CONNECT_MARGIN_MS } from "../../deploy/smoke/echo/echo-check.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import {
  attachWsJsonChat,
  fastSpec,
  healthHandler,
  leakedHandles,
  startHttp,
  type TestHttpServer,
  VERSION,
} from "./helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function http(...args: Parameters<typeof startHttp>): Promise<TestHttpServer> {
  const server = await startHttp(...args);
  cleanups.push(() => server.close());
  return server;
}

/** Answers /health with 503 until `coldMs` after start, then 200 with the version. */
async function coldStartServer(coldMs: number): Promise<TestHttpServer> {
  const readyAt = Date.now() + coldMs;
  const ok = healthHandler();
  const server = await http((req, res) => {
    if (Date.now() < readyAt) res.writeHead(503, { "content-type": "text/plain" }).end("starting");
    else ok(req, res);
  });
  attachWsJsonChat(server);
  return server;
}

/** A TCP server that accepts connections and never says anything. */
async function silentServer(): Promise<{ url: string }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    // Read (and ignore) the request so the client's FIN is seen and this side closes too.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("health: cold starts, refusals and silence", () => {
  it("retries 503 through a 2 s cold start within a 30 s budget", async () => {
    const server = await coldStartServer(2_000);
    const retries: string[] = [];
    const result = await runSmoke(server.url, fastSpec({}, { timeoutMs: 30_000 }), {
      expectVersion: VERSION,
      onProgress: (event) => {
        if (event.type === "health.retry") retries.push(event.error);
      },
    });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.latencies.healthMs).toBeGreaterThanOrEqual(1_900);
    expect(result.latencies.healthMs).toBeLessThan(5_000);
    expect(retries[0]).toBe("HTTP 503 Service Unavailable");
    expect(result.checks[0]!.detail).toMatch(/after \d+ attempts/);
  });

  it("refuses the same cold start with a 1 s budget, naming the last error", async () => {
    const server = await coldStartServer(2_000);
    const started = performance.now();
    const result = await runSmoke(server.url, fastSpec({}, { timeoutMs: 1_000 }), { expectVersion: VERSION });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(result.ok).toBe(false);
    expect(result.checks[0]!.detail).toMatch(
      /^GET \/health gave no usable answer within 1000 ms \(\d+ attempts\); last error: HTTP 503 Service Unavailable$/,
    );
    expect(result.checks.slice(1).map((c) => c.status)).toEqual(["skipped", "skipped", "skipped"]);
  });

  it("a server without the health route (404 to the end) is refused naming the route and how to fix it", async () => {
    const server = await http((_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" }).end("Cannot GET /health");
    });
    const result = await runSmoke(server.url, fastSpec({}, { timeoutMs: 400 }), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    expect(result.checks[0]!.detail).toMatch(
      /last error: HTTP 404.*no route at \/health: add one .*smoke\.health\.path/,
    );
  });

  it("retries connection refused and fails naming it", async () => {
    const server = await http(healthHandler());
    const url = server.url;
    await server.close();
    const result = await runSmoke(url, fastSpec({}, { timeoutMs: 400 }), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    expect(result.checks[0]!.detail).toMatch(/last error: connection refused$/);
  });

  it("refuses within the budget when the server accepts and never answers (no hang, no leak)", async () => {
    const server = await silentServer();
    const before = process.getActiveResourcesInfo();
    const started = performance.now();
    const result = await runSmoke(server.url, fastSpec({}, { timeoutMs: 500 }), { expectVersion: VERSION });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.ok).toBe(false);
    expect(result.checks[0]!.detail).toMatch(/last error: no answer within \d+ ms$/);
    expect(await leakedHandles(before)).toEqual([]);
  });

  it("refuses a 2xx body that is not JSON", async () => {
    const server = await http((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>"),
    );
    const result = await runSmoke(server.url, fastSpec(), { expectVersion: VERSION });
    expect(result.checks[0]!.detail).toBe(
      "GET /health answered HTTP 200 OK but the body is not JSON (content-type text/html)",
    );
  });

  it("reads the version at a dot path", async () => {
    const server = await http(healthHandler({ build: { version: VERSION } }));
    attachWsJsonChat(server);
    const result = await runSmoke(server.url, fastSpec({}, { versionField: "build.version" }), {
      expectVersion: VERSION,
    });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
  });
});

describe("echo: handshake failures and broken connections", () => {
  it("reports an upgrade answered 403 as a handshake failure with the status", async () => {
    const server = await http(healthHandler(), (_req, socket) => {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    const result = await runSmoke(server.url, fastSpec(), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    const connect = result.checks.find((c) => c.name === "connect")!;
    expect(connect.detail).toMatch(
      /^all 2 clients could not connect: the server answered the WebSocket upgrade with HTTP 403 Forbidden$/,
    );
    expect(connect.ms).toBeLessThan(500);
    expect(result.checks.slice(2).map((c) => c.status)).toEqual(["skipped", "skipped"]);
  });

  it("refuses within echo.timeoutMs when the upgrade is never answered (no leak)", async () => {
    const server = await http(healthHandler(), () => undefined);
    const before = process.getActiveResourcesInfo();
    const result = await runSmoke(server.url, fastSpec({ timeoutMs: 300 }), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    const connect = result.checks.find((c) => c.name === "connect")!;
    expect(connect.detail).toContain("no WebSocket handshake within 300 ms");
    expect(connect.ms).toBeLessThan(600);
    expect(await leakedHandles(before)).toEqual([]);
  });

  it.each(["ws-json", "socket.io"])(
    "bounds the connect phase of %s with the most clients by echo.timeoutMs, without listener warnings",
    async (protocol) => {
      const server = await http(healthHandler(), () => undefined);
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
      process.on("warning", onWarning);
      try {
        const result = await runSmoke(
          server.url,
          fastSpec({ protocol, clients: MAX_CLIENTS, timeoutMs: 300 }),
          {
            expectVersion: VERSION,
            signal: new AbortController().signal,
          },
        );
        const connect = result.checks.find((c) => c.name === "connect")!;
        expect(connect.detail).toMatch(new RegExp(`^all ${MAX_CLIENTS} clients could not connect: `));
        expect(connect.ms).toBeLessThan(300 + CONNECT_MARGIN_MS + 200);
      } finally {
        process.off("warning", onWarning);
      }
      expect(warnings).toEqual([]);
    },
  );

  it("reports a server that closes the connections mid-test", async () => {
    const server = await http(healthHandler());
    attachWsJsonChat(server, {
      onChat: (room) => {
        for (const member of room) member.close(1011, "boom");
        return true;
      },
    });
    const started = performance.now();
    const result = await runSmoke(server.url, fastSpec({ timeoutMs: 2_000 }), { expectVersion: VERSION });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.ok).toBe(false);
    const detail = result.checks.at(-1)!.detail;
    expect(detail).toContain(
      "the sender (smoke-1) lost its connection before its own message arrived: closed by the server (code 1011 boom)",
    );
    expect(detail).toMatch(
      /the (1st|2nd) client to join \(joined (first|last); smoke-2\) lost its connection before the message arrived/,
    );
  });

  it("reports a server that never acknowledges the join", async () => {
    const server = await http(healthHandler(), () => undefined);
    server.server.removeAllListeners("upgrade");
    const wss = attachWsJsonChat(server);
    wss.removeAllListeners("connection");
    server.server.removeAllListeners("upgrade");
    server.server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, () => undefined));
    const result = await runSmoke(server.url, fastSpec({ timeoutMs: 200 }), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    const join = result.checks.find((c) => c.name === "join")!;
    expect(join.detail).toMatch(/^client smoke-1 joined but got no a message matching \{"type":"joined"/);
    expect(result.checks.at(-1)!.status).toBe("skipped");
  });
});
