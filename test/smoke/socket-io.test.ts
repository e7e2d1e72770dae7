import { afterEach, describe, expect, it } from "vitest";
import { connectSocketIo } from "../../deploy/smoke/echo/socket-io.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { leakedHandles, socketIoSpec, startSocketIoChat, type TestSocketIo, VERSION } from "./helpers.js";

let server: TestSocketIo | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const transportSets: Array<Array<"polling" | "websocket">> = [
  ["websocket"],
  ["polling"],
  ["polling", "websocket"],
];

describe("runSmoke over socket.io-client", () => {
  for (const transports of transportSets) {
    describe(`transports [${transports.join(", ")}]`, () => {
      it("passes a server that broadcasts with io.to(room).emit", async () => {
        server = await startSocketIoChat({ includeSender: true });
        const result = await runSmoke(server.url, socketIoSpec(transports), { expectVersion: VERSION });
        expect(result.ok, JSON.stringify(result.checks)).toBe(true);
        expect(result.protocol).toBe("socket.io");
        expect(result.latencies.echoMs["smoke-1"]).not.toBeNull();
      });

      it("refuses a server that broadcasts with socket.to(room).emit, naming the sender", async () => {
        server = await startSocketIoChat({ includeSender: false });
        const result = await runSmoke(server.url, socketIoSpec(transports, { timeoutMs: 300 }), {
          expectVersion: VERSION,
        });
        expect(result.ok).toBe(false);
        expect(result.checks.at(-1)!.detail).toMatch(
          /^the sender \(smoke-1\) did not receive its own message within 300 ms; 1 of 1 other clients did — the server broadcasts excluding the sender/,
        );
      });
    });
  }

  it("names the client that did not receive (3 clients, one never joins the room)", async () => {
    server = await startSocketIoChat({ includeSender: true });
    server.io.on("connection", (socket) => {
      // smoke-3 is told it joined but is kept out of the room.
      socket.prependAny((event: string, payload: { peerId?: string }) => {
        if (event === "join-room" && payload.peerId === "smoke-3") socket.join = () => undefined;
      });
    });
    const result = await runSmoke(server.url, socketIoSpec(["websocket"], { clients: 3, timeoutMs: 300 }), {
      expectVersion: VERSION,
    });
    expect(result.ok).toBe(false);
    expect(result.checks.at(-1)!.detail).toMatch(
      /^the (1st|2nd|3rd) client to join \((joined (first|last); )?smoke-3\) got nothing within 300 ms; the sender did and 1 of 2 other clients did/,
    );
  });

  it("reports a wrong socket.io path as an HTTP status, not a timeout", async () => {
    server = await startSocketIoChat({ includeSender: true });
    for (const transports of [["websocket"], ["polling"]] as const) {
      const result = await runSmoke(server.url, socketIoSpec([...transports], { path: "/wrong/" }), {
        expectVersion: VERSION,
      });
      expect(result.ok).toBe(false);
      const connect = result.checks.find((c) => c.name === "connect")!;
      expect(connect.detail).toMatch(/HTTP 404 — is echo.path \(\/wrong\/\) the server's Socket.IO path\?/);
      // Over websocket the server never answers an upgrade on an unknown path: the timeout, then a probe.
      expect(connect.ms).toBeLessThan(1_700);
    }
  });

  it("reports a connect_error from server middleware", async () => {
    server = await startSocketIoChat({ includeSender: true });
    server.io.use((_socket, next) => next(new Error("not authorized")));
    const result = await runSmoke(server.url, socketIoSpec(["websocket"]), { expectVersion: VERSION });
    expect(result.checks.find((c) => c.name === "connect")!.detail).toContain(
      "the server refused the Socket.IO connection: not authorized",
    );
  });

  it("leaves no socket or timer behind, for both transports", async () => {
    server = await startSocketIoChat({ includeSender: true });
    await runSmoke(server.url, socketIoSpec(["polling", "websocket"]), { expectVersion: VERSION });
    for (const transports of transportSets) {
      const before = process.getActiveResourcesInfo();
      const result = await runSmoke(server.url, socketIoSpec(transports), { expectVersion: VERSION });
      expect(result.ok).toBe(true);
      expect(await leakedHandles(before, 100), transports.join()).toEqual([]);
      expect(server.io.engine.clientsCount).toBe(0);
    }
  });
});

describe("the round trip that proves the server read what a client sent (barrier)", () => {
  const open = (url: string) =>
    connectSocketIo({
      url,
      path: "/socket.io/",
      transports: ["websocket"],
      client: "smoke-1",
      timeoutMs: 2_000,
      signal: new AbortController().signal,
    });

  it("is answered only after the server ran the handlers of what was sent before", async () => {
    server = await startSocketIoChat({ includeSender: true });
    const joined: string[] = [];
    server.io.on("connection", (socket) => socket.on("join-room", ({ roomId }) => joined.push(roomId)));
    const connection = await open(server.url);
    for (const room of ["a", "b", "c"]) {
      connection.send("join-room", [{ roomId: room, peerId: "smoke-1" }]);
      expect(await connection.barrier(2_000)).toBe(true);
      expect(joined.at(-1)).toBe(room);
    }
    await connection.close();
  });

  it("leaves a catch-all namespace that lets it in, and is false once the connection is gone", async () => {
    server = await startSocketIoChat({ includeSender: true });
    const inside = new Set<string>();
    server.io.of(/^\/echogate-barrier-/).on("connection", (socket) => {
      inside.add(socket.nsp.name);
      socket.on("disconnect", () => inside.delete(socket.nsp.name));
    });
    const connection = await open(server.url);
    expect(await connection.barrier(2_000)).toBe(true);
    expect(await connection.barrier(2_000)).toBe(true);
    await expect.poll(() => inside.size).toBe(0);
    await connection.close();
    expect(await connection.barrier(2_000)).toBe(false);
  });
});
