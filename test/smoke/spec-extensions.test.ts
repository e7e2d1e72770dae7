import { type Socket, Server as SocketIoServer } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import type { SmokeSpecInput } from "../../deploy/config/smoke-spec.js";
import { parseSmokeSpec } from "../../deploy/smoke/load-spec.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { healthHandler, startHttp, type TestSocketIo, VERSION } from "./helpers.js";

let server: TestSocketIo | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A real Socket.IO server on loopback whose connection handler the test writes. */
async function startSocketIo(
  onConnection: (socket: Socket, io: SocketIoServer) => void,
): Promise<TestSocketIo> {
  const http = await startHttp(healthHandler());
  const io = new SocketIoServer(http.server, { transports: ["websocket"] });
  io.on("connection", (socket) => onConnection(socket, io));
  return {
    ...http,
    io,
    close: async () => {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await http.close().catch(() => undefined);
    },
  };
}

/**
 * The official Socket.IO chat example (socket.io/examples/chat/index.js), unchanged in shape:
 * `add user` with a plain string, `login` back to the sender, `new message` with a string,
 * broadcast to everyone else (`socket.broadcast.emit`), never to the sender.
 */
function officialChat(socket: Socket, _io: SocketIoServer, options: { broadcast?: boolean } = {}): void {
  let addedUser = false;
  let username = "";
  let numUsers = 0;
  socket.on("new message", (data: string) => {
    if (options.broadcast === false) return;
    socket.broadcast.emit("new message", { username, message: data });
  });
  socket.on("add user", (name: string) => {
    if (addedUser) return;
    username = name;
    ++numUsers;
    addedUser = true;
    socket.emit("login", { numUsers });
    socket.broadcast.emit("user joined", { username, numUsers });
  });
}

const officialChatSpec = (senderReceivesEcho: boolean): SmokeSpecInput => ({
  health: { timeoutMs: 2_000 },
  echo: {
    protocol: "socket.io",
    timeoutMs: 600,
    clients: 3,
    join: { event: "add user", payload: "{{client}}", waitFor: { event: "login" } },
    send: { event: "new message", payload: "echogate smoke {{nonce}}" },
    expect: { event: "new message", match: { message: "echogate smoke {{nonce}}" } },
    senderReceivesEcho,
  },
});

describe("smoke spec: the official Socket.IO chat example", () => {
  it("passes with senderReceivesEcho: false (string payloads, broadcast excluding the sender)", async () => {
    server = await startSocketIo((socket, io) => officialChat(socket, io));
    const result = await runSmoke(server.url, officialChatSpec(false), { expectVersion: VERSION });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.at(-1)!.detail).toMatch(
      /all 2 other clients received the message \(sender echo not required\)/,
    );
  });

  it("still fails when the other clients don't receive it", async () => {
    server = await startSocketIo((socket, io) => officialChat(socket, io, { broadcast: false }));
    const result = await runSmoke(server.url, officialChatSpec(false), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    expect(result.checks.at(-1)!.detail).toMatch(/smoke-2|other clients/);
  });

  it("with the default senderReceivesEcho it names the sender left out", async () => {
    server = await startSocketIo((socket, io) => officialChat(socket, io));
    const result = await runSmoke(server.url, officialChatSpec(true), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    expect(result.checks.at(-1)!.detail).toMatch(/^the sender \(smoke-1\) did not receive its own message/);
  });
});

/** A server that confirms a join only through the emit's acknowledgement, and messages with several arguments. */
function ackServer(
  socket: Socket,
  io: SocketIoServer,
  options: { ackSend?: boolean; joinAck?: unknown } = {},
): void {
  socket.on("enter", (room: string, profile: { name: string }, ack: (...args: unknown[]) => void) => {
    void socket.join(room);
    ack(options.joinAck ?? { ok: true, room, name: profile.name });
  });
  socket.on("say", (room: string, text: string, ack?: (reply: unknown) => void) => {
    io.to(room).emit("said", room, { text, n: 1 });
    if (options.ackSend !== false) ack?.({ stored: true });
  });
}

const ackSpec = (extra: Record<string, unknown> = {}): SmokeSpecInput => ({
  health: { timeoutMs: 2_000 },
  echo: {
    protocol: "socket.io",
    timeoutMs: 600,
    join: {
      event: "enter",
      args: ["{{room}}", { name: "{{client}}" }],
      waitFor: { ack: true, match: { ok: true, room: "{{room}}" } },
    },
    send: { event: "say", args: ["{{room}}", "hello {{nonce}}"], ack: { match: { stored: true } } },
    expect: { event: "said", arg: 1, match: { text: "hello {{nonce}}" } },
    ...extra,
  },
});

describe("smoke spec: acknowledgements and several arguments", () => {
  it("waits for the join's acknowledgement, sends several arguments and matches the second", async () => {
    server = await startSocketIo((socket, io) => ackServer(socket, io));
    const result = await runSmoke(server.url, ackSpec(), { expectVersion: VERSION });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.find((c) => c.name === "join")!.detail).toContain('the acknowledgement of "enter"');
    expect(result.checks.at(-1)!.detail).toContain("the send was acknowledged");
  });

  it("fails the join when the acknowledgement doesn't match", async () => {
    server = await startSocketIo((socket, io) =>
      ackServer(socket, io, { joinAck: { ok: false, error: "full" } }),
    );
    const result = await runSmoke(server.url, ackSpec(), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    const join = result.checks.find((c) => c.name === "join")!;
    expect(join.detail).toMatch(/got no acknowledgement of "enter" matching .*; got instead: .*full/);
  });

  it("fails the echo when a required send acknowledgement never comes", async () => {
    server = await startSocketIo((socket, io) => ackServer(socket, io, { ackSend: false }));
    const result = await runSmoke(server.url, ackSpec(), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    expect(result.checks.at(-1)!.detail).toMatch(/got no acknowledgement of "say" .* within 600 ms/);
  });

  it("matches a non-object payload and refuses what ws-json can't do", () => {
    expect(parseSmokeSpec(ackSpec()).echo.send.args).toEqual(["{{room}}", "hello {{nonce}}"]);
    expect(() =>
      parseSmokeSpec({
        echo: { protocol: "ws-json", send: { payload: { a: 1 }, ack: true }, expect: { match: { a: 1 } } },
      }),
    ).toThrow(/send\.ack: ws-json has no acknowledgements/);
    expect(() =>
      parseSmokeSpec({
        echo: {
          protocol: "socket.io",
          join: { event: "x", payload: 1, args: [1] },
          send: { event: "m", payload: [1, 2] },
          expect: { event: "m", match: [1, 2] },
        },
      }),
    ).toThrow(/join\.args: give payload \(one argument\) or args \(several\), not both/);
  });
});
