import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { chatRecipients } from "./broadcast.js";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { isOriginAllowed } from "./origin-policy.js";
import {
  type ChatMessageRequest,
  encode,
  type JoinRequest,
  type LeaveRequest,
  parseClientMessage,
  type ServerMessage,
} from "./protocol.js";
import { Rooms } from "./rooms.js";

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  connectionCount(): number;
  roomCount(): number;
  /** Closes every WebSocket with 1001; resolves when all are gone or `timeoutMs` passed. */
  drain(timeoutMs: number): Promise<void>;
}

const alive = new WeakSet<WebSocket>();

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(encode(message));
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function createRealtime(config: ServerConfig, log: Logger, isDraining: () => boolean): Realtime {
  const rooms = new Rooms<WebSocket>(config.historyLimit);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });

  function onJoin(ws: WebSocket, msg: JoinRequest): void {
    const outcome = rooms.join(msg.roomId, msg.peerId, ws, msg.displayName);
    send(ws, {
      type: "joined",
      roomId: msg.roomId,
      peerId: msg.peerId,
      peers: outcome.peers,
      history: outcome.history,
    });
    if (outcome.kind === "replaced") {
      send(outcome.previous, {
        type: "error",
        code: "replaced",
        message: `Peer ${msg.peerId} joined room ${msg.roomId} from another connection.`,
      });
    }
    if (outcome.kind !== "joined") return;
    const joined: ServerMessage = { type: "peer-joined", roomId: msg.roomId, peerId: msg.peerId };
    if (msg.displayName !== undefined) joined.displayName = msg.displayName;
    for (const member of rooms.members(msg.roomId)) {
      if (member.conn !== ws) send(member.conn, joined);
    }
    log.log("INFO", "peer joined", { roomId: msg.roomId, peerId: msg.peerId, peers: outcome.peers.length });
  }

  function onChat(ws: WebSocket, msg: ChatMessageRequest): void {
    const from = rooms.peerIdOf(msg.roomId, ws);
    if (from === undefined) {
      send(ws, notInRoom(msg.roomId));
      return;
    }
    const message = { id: msg.message.id, content: msg.message.content, from, ts: Date.now() };
    rooms.addToHistory(msg.roomId, message);
    const members = rooms.members(msg.roomId);
    const recipients = chatRecipients(members, ws, config.fault);
    if (recipients.length < members.length) {
      log.log("WARNING", "FAULT exclude-sender: broadcast skipped the sender", {
        fault: config.fault,
        roomId: msg.roomId,
        peerId: from,
        messageId: message.id,
      });
    }
    for (const conn of recipients) send(conn, { type: "chat-message", roomId: msg.roomId, message });
    send(ws, {
      type: "message-delivered",
      roomId: msg.roomId,
      id: message.id,
      recipients: recipients.length,
    });
  }

  function onLeave(ws: WebSocket, msg: LeaveRequest): void {
    const peerId = rooms.leave(msg.roomId, ws);
    if (peerId === undefined) {
      send(ws, notInRoom(msg.roomId));
      return;
    }
    send(ws, { type: "left", roomId: msg.roomId });
    announceLeft(msg.roomId, peerId);
  }

  function announceLeft(roomId: string, peerId: string): void {
    for (const member of rooms.members(roomId)) send(member.conn, { type: "peer-left", roomId, peerId });
    log.log("INFO", "peer left", { roomId, peerId });
  }

  function onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      send(ws, { type: "error", code: "binary-not-supported", message: "Send JSON in text frames." });
      return;
    }
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) {
      send(ws, parsed.error);
      return;
    }
    const msg = parsed.message;
    if (msg.type === "join") onJoin(ws, msg);
    else if (msg.type === "chat-message") onChat(ws, msg);
    else onLeave(ws, msg);
  }

  wss.on("connection", (ws) => {
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    ws.on("message", (data, isBinary) => onFrame(ws, data, isBinary));
    // ws closes oversized frames with 1009 and reports it here; never let it crash the process.
    ws.on("error", (error) => log.log("WARNING", "websocket error", { error: error.message }));
    ws.on("close", () => {
      for (const { roomId, peerId } of rooms.leaveAll(ws)) announceLeft(roomId, peerId);
    });
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        log.log("INFO", "terminating connection that missed a heartbeat");
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, config.heartbeatIntervalMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      const origin = req.headers.origin;
      if (isDraining()) return rejectUpgrade(socket, 503, "Service Unavailable");
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
    connectionCount: () => wss.clients.size,
    roomCount: () => rooms.size,
    async drain(timeoutMs) {
      clearInterval(heartbeat);
      const open = [...wss.clients];
      const closed = open.map((ws) => new Promise<void>((resolve) => ws.once("close", () => resolve())));
      for (const ws of open) ws.close(1001, "server shutting down");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all(closed), timedOut]);
      clearTimeout(timer);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function notInRoom(roomId: string): ServerMessage {
  return {
    type: "error",
    code: "not-in-room",
    message: `Can't use room ${roomId} before joining it; send a join message first.`,
  };
}
