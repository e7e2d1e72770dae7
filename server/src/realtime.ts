import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Backplane } from "./backplane/backplane.js";
import type { ServerConfig } from "./config.js";
import { Connection, errorMessage } from "./connection.js";
import { createDirectHandlers, type DirectHandlers } from "./direct-handlers.js";
import type { Logger } from "./logger.js";
import { isOriginAllowed } from "./origin-policy.js";
import { parseClientMessage } from "./protocol.js";
import { createRoomHandlers, type RoomHandlers } from "./room-handlers.js";
import type { Store } from "./store/store.js";

export { SLOW_CONSUMER_CLOSE } from "./connection.js";

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  connectionCount(): number;
  roomCount(): number;
  /** Posting to a room and reading its history, for the REST API. */
  rooms: Pick<RoomHandlers, "post" | "history">;
  /** Sending a direct message, for the REST API. */
  direct: Pick<DirectHandlers, "send">;
  /** Closes every WebSocket with 1001; resolves when all are gone (and have left their rooms) or `timeoutMs` passed. */
  drain(timeoutMs: number): Promise<void>;
}

export interface RealtimeDeps {
  config: ServerConfig;
  log: Logger;
  isDraining: () => boolean;
  backplane: Backplane;
  store: Store;
  /** This instance's id (instance-id.ts): recorded in presence, reported in `joined`. */
  instance: string;
  /** HMAC key for peer tokens. */
  sessionSecret: string;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The WebSocket side: upgrades, connection lifecycle, per-connection ordering, heartbeat, drain. */
export function createRealtime(deps: RealtimeDeps): Realtime {
  const { config, log } = deps;
  const conns = new Map<WebSocket, Connection>();
  const openIds = new Set<string>();
  const work = new Set<Promise<void>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });
  const rooms = createRoomHandlers({ ...deps, isOpen: (connId) => openIds.has(connId) });
  const direct = createDirectHandlers(deps);

  // One queue per connection keeps its frames in order across backplane round trips.
  function enqueue(c: Connection, task: () => Promise<void>): void {
    const next = c.queue.then(task).catch((failure: unknown) => {
      log.log("ERROR", "Failed to handle a message", { error: String(failure) });
      c.send(errorMessage("unavailable", "The server could not handle this message right now; try again."));
    });
    c.queue = next;
    work.add(next);
    void next.finally(() => work.delete(next));
  }

  async function onFrame(c: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      c.send(errorMessage("binary-not-supported", "Send JSON in text frames."));
      return;
    }
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) {
      c.send(parsed.error);
      return;
    }
    const msg = parsed.message;
    if (msg.type === "join") await rooms.join(c, msg);
    else if (msg.type === "chat-message") await rooms.chat(c, msg);
    else if (msg.type === "leave") await rooms.leave(c, msg);
    else if (msg.type === "register") await direct.register(c, msg);
    else await direct.dm(c, msg);
  }

  wss.on("connection", (ws) => {
    const c = new Connection(ws, config, log);
    conns.set(ws, c);
    openIds.add(c.id);
    ws.on("pong", () => {
      c.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      if (c.closed || ws.readyState !== WebSocket.OPEN) return;
      if (c.admit(Date.now())) enqueue(c, () => onFrame(c, data, isBinary));
    });
    // ws closes oversized frames with 1009 and reports it here; never let it crash the process.
    ws.on("error", (failure) => log.log("WARNING", "websocket error", { error: failure.message }));
    ws.on("close", () => {
      c.closed = true;
      conns.delete(ws);
      openIds.delete(c.id);
      enqueue(c, rooms.closed(c));
      enqueue(c, direct.closed(c));
    });
  });

  const heartbeat = setInterval(() => {
    for (const c of conns.values()) {
      if (!c.alive) {
        log.log("INFO", "terminating connection that missed a heartbeat");
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, config.heartbeatIntervalMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      const origin = req.headers.origin;
      if (deps.isDraining()) return rejectUpgrade(socket, 503, "Service Unavailable");
      if (!isOriginAllowed(origin, config.allowedOrigins)) {
        log.log("WARNING", "rejected websocket upgrade from origin", { origin });
        return rejectUpgrade(socket, 403, "Forbidden");
      }
      // PROTOCOL.md: the WebSocket is at `/`; elsewhere a client (or the gate) must see the wrong path.
      if ((req.url ?? "/").split("?", 1)[0] !== "/") {
        return rejectUpgrade(socket, 404, "Not Found");
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    connectionCount: () => conns.size,
    roomCount: () => rooms.roomCount(),
    rooms,
    direct,
    async drain(timeoutMs) {
      clearInterval(heartbeat);
      const deadline = Date.now() + timeoutMs;
      const open = [...wss.clients];
      const closed = open.map((ws) => new Promise<void>((resolve) => ws.once("close", () => resolve())));
      for (const ws of open) {
        ws.close(1001, "server shutting down");
        // A throttled socket must read again to see the client's close frame.
        ws.resume();
      }
      const allClosed = Promise.all(closed);
      await within(allClosed, deadline);
      for (const ws of wss.clients) ws.terminate();
      await within(allClosed, deadline + 200);
      // Let the closed connections leave their rooms in the shared presence before the backplane stops.
      while (work.size > 0 && Date.now() < deadline) await within(Promise.allSettled([...work]), deadline);
      wss.close();
    },
  };
}

async function within(promise: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  await Promise.race([promise, timedOut]);
  clearTimeout(timer);
}
