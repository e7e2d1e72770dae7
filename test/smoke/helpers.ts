import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type ServerOptions, Server as SocketIoServer } from "socket.io";
import { type WebSocket, WebSocketServer, type ServerOptions as WebSocketServerOptions } from "ws";
import type { SmokeSpecInput } from "../../deploy/config/smoke-spec.js";
import { type RunningServer, startServer } from "../../server/src/start-server.js";

export const VERSION = "1.4.0+3f2a9c1";

/** The reference server on 127.0.0.1:0 with a silent logger. */
export function startReference(env: Record<string, string> = {}): Promise<RunningServer> {
  return startServer({
    port: 0,
    host: "127.0.0.1",
    env: { APP_VERSION: VERSION, ...env },
    logger: { log: () => undefined },
  });
}

export interface TestHttpServer {
  url: string;
  server: Server;
  /** Sockets the server has open right now. */
  openSockets(): number;
  close(): Promise<void>;
}

/** A bare HTTP server whose every socket is destroyed on close, so no test leaves a handle behind. */
export async function startHttp(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade?: (req: IncomingMessage, socket: Socket, head: Buffer) => void,
): Promise<TestHttpServer> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  if (onUpgrade) server.on("upgrade", (req, socket, head) => onUpgrade(req, socket as Socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    openSockets: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function healthHandler(body: Record<string, unknown> = { status: "ok", version: VERSION }) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    } else res.writeHead(404).end();
  };
}

export interface TestSocketIo extends TestHttpServer {
  io: SocketIoServer;
}

/**
 * A Socket.IO chat server in the seeds' shape: join-room → room-peers, chat-message broadcast.
 * `includeSender: false` is the outage (`socket.to(room).emit`).
 */
export async function startSocketIoChat(options: {
  includeSender: boolean;
  path?: string;
  /** Origins allowed by CORS (the server's `cors.origin`); none by default, as Socket.IO has it. */
  corsOrigins?: string[];
  /** The server's whole `cors` option (instead of corsOrigins). */
  cors?: ServerOptions["cors"];
  /** The server's `allowRequest` (an origin check that applies to the WebSocket upgrade too). */
  allowRequest?: ServerOptions["allowRequest"];
}): Promise<TestSocketIo> {
  let io: SocketIoServer | undefined;
  const http = await startHttp(healthHandler());
  io = new SocketIoServer(http.server, {
    path: options.path ?? "/socket.io/",
    transports: ["polling", "websocket"],
    ...(options.corsOrigins ? { cors: { origin: options.corsOrigins } } : {}),
    ...(options.cors ? { cors: options.cors } : {}),
    ...(options.allowRequest ? { allowRequest: options.allowRequest } : {}),
  });
  io.on("connection", (socket) => {
    socket.on("join-room", (payload: { roomId: string; peerId: string }) => {
      void socket.join(payload.roomId);
      socket.emit("room-peers", { roomId: payload.roomId, peers: [] });
    });
    socket.on("chat-message", (payload: { roomId: string; message: { id: string; content: string } }) => {
      const message = { ...payload.message, ts: Date.now() };
      if (options.includeSender) io!.to(payload.roomId).emit("chat-message", message);
      else socket.to(payload.roomId).emit("chat-message", message);
    });
  });
  return {
    ...http,
    io,
    close: async () => {
      io!.disconnectSockets(true);
      await new Promise<void>((resolve) => io!.close(() => resolve()));
      await http.close().catch(() => undefined);
    },
  };
}

export const socketIoSpec = (
  transports: Array<"polling" | "websocket">,
  extra: Record<string, unknown> = {},
) =>
  ({
    health: { timeoutMs: 2_000 },
    echo: {
      protocol: "socket.io",
      transports,
      timeoutMs: 1_000,
      join: {
        event: "join-room",
        payload: { roomId: "{{room}}", peerId: "{{client}}" },
        waitFor: { event: "room-peers" },
      },
      send: {
        event: "chat-message",
        payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" } },
      },
      expect: { event: "chat-message", match: { id: "{{nonce}}" } },
      ...extra,
    },
  }) satisfies SmokeSpecInput;

/** The reference server's default spec with short timeouts for tests. */
export const fastSpec = (
  echo: Record<string, unknown> = {},
  health: Record<string, unknown> = {},
): SmokeSpecInput => ({
  health: { timeoutMs: 2_000, ...health },
  echo: { timeoutMs: 1_000, ...echo },
});

/** Resource types opened since `before` (the server under test lives in-process, so let its side close first). */
export async function leakedHandles(before: string[], settleMs = 50): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const counts = new Map<string, number>();
  for (const name of before) counts.set(name, (counts.get(name) ?? 0) + 1);
  const extra: string[] = [];
  for (const name of process.getActiveResourcesInfo()) {
    const left = counts.get(name) ?? 0;
    if (left > 0) counts.set(name, left - 1);
    else extra.push(name);
  }
  return extra;
}

/**
 * The reference protocol's join/chat subset on a `ws` server attached to `http`, for tests that
 * need to misbehave around it (cold starts, closing mid-test).
 */
export function attachWsJsonChat(
  http: TestHttpServer,
  options: {
    onChat?: (sockets: Set<WebSocket>, sender: WebSocket) => boolean;
    /** ws's own upgrade check (e.g. on the Origin header); a refusal answers HTTP 401. */
    verifyClient?: WebSocketServerOptions["verifyClient"];
  } = {},
): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    ...(options.verifyClient ? { verifyClient: options.verifyClient } : {}),
  });
  const rooms = new Map<string, Set<WebSocket>>();
  http.server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data) => {
        const message = JSON.parse(data.toString()) as { type: string; roomId: string; message?: unknown };
        const room = rooms.get(message.roomId) ?? new Set<WebSocket>();
        rooms.set(message.roomId, room);
        if (message.type === "join") {
          room.add(ws);
          ws.send(JSON.stringify({ type: "joined", roomId: message.roomId, peers: [], history: [] }));
        } else if (message.type === "chat-message") {
          if (options.onChat?.(room, ws)) return;
          for (const member of room) member.send(JSON.stringify(message));
        }
      });
    });
  });
  const close = http.close;
  http.close = async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    await close();
  };
  return wss;
}
