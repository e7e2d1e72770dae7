import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Backplane, PresenceEntry, RoomEvent } from "./backplane/backplane.js";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { isOriginAllowed } from "./origin-policy.js";
import { newClaim, peerToken, verifyPeerToken } from "./peer-token.js";
import {
  type ChatMessage,
  type ChatMessageRequest,
  type ErrorCode,
  encode,
  type JoinRequest,
  type LeaveRequest,
  parseClientMessage,
  type ServerMessage,
} from "./protocol.js";
import { LocalRooms } from "./rooms.js";
import { TokenBucket } from "./token-bucket.js";

export interface Realtime {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  connectionCount(): number;
  roomCount(): number;
  /** Closes every WebSocket with 1001; resolves when all are gone (and have left their rooms) or `timeoutMs` passed. */
  drain(timeoutMs: number): Promise<void>;
}

export interface RealtimeDeps {
  config: ServerConfig;
  log: Logger;
  isDraining: () => boolean;
  backplane: Backplane;
  /** This instance's id (instance-id.ts): recorded in presence, reported in `joined`. */
  instance: string;
  /** HMAC key for peer tokens. */
  sessionSecret: string;
}

/** PROTOCOL.md: a connection whose send buffer overflows is closed with this code. */
export const SLOW_CONSUMER_CLOSE = 4008;
const SLOW_CONSUMER_GRACE_MS = 1_000;
const RATE_NOTICE_INTERVAL_MS = 1_000;
const JOIN_ATTEMPTS = 3;
const MIN_THROTTLE_MS = 20;
const THROTTLE_REFILL_TOKENS = 10;

interface Conn {
  id: string;
  ws: WebSocket;
  bucket: TokenBucket;
  /** roomId -> the peerId this connection holds there. */
  rooms: Map<string, string>;
  queue: Promise<void>;
  closed: boolean;
  alive: boolean;
  lastRateNoticeMs: number;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function error(code: ErrorCode, message: string): ServerMessage {
  return { type: "error", code, message };
}

export function createRealtime(deps: RealtimeDeps): Realtime {
  const { config, log, backplane, instance } = deps;
  const local = new LocalRooms<Conn>();
  const conns = new Map<WebSocket, Conn>();
  const connIds = new Set<string>();
  const work = new Set<Promise<void>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });

  // --- sending, bounded ---
  function sendText(c: Conn, text: string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > config.maxBufferedBytes) closeSlowConsumer(c);
    else c.ws.send(text);
  }
  const send = (c: Conn, message: ServerMessage) => sendText(c, encode(message));

  function closeSlowConsumer(c: Conn): void {
    log.log("WARNING", "closing a slow consumer: its send buffer is full", {
      bufferedBytes: c.ws.bufferedAmount,
      limit: config.maxBufferedBytes,
    });
    c.ws.close(SLOW_CONSUMER_CLOSE, "slow consumer: send buffer full");
    // A reader that stopped reading won't read the close frame either: free its buffers soon.
    setTimeout(() => c.ws.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
  }

  // --- one queue per connection keeps its frames in order across backplane round trips ---
  function enqueue(c: Conn, task: () => Promise<void>): void {
    const next = c.queue.then(task).catch((failure: unknown) => {
      log.log("ERROR", "Failed to handle a message", { error: String(failure) });
      send(c, error("unavailable", "The server could not handle this message right now; try again."));
    });
    c.queue = next;
    work.add(next);
    void next.finally(() => work.delete(next));
  }

  function release(roomId: string): void {
    backplane.unsubscribe(roomId).catch((failure: unknown) => {
      log.log("WARNING", "Failed to unsubscribe from a room", { roomId, error: String(failure) });
    });
  }

  // --- delivery of room events to this instance's members ---
  function deliverChat(roomId: string, message: ChatMessage, skip?: Conn): number {
    const text = encode({ type: "chat-message", roomId, message });
    let sent = 0;
    for (const member of local.members(roomId)) {
      if (member.conn === skip || member.floor >= message.seq) continue;
      sendText(member.conn, text);
      sent++;
    }
    return sent;
  }

  function deliverToOthers(roomId: string, message: ServerMessage, exceptPeer: string): void {
    const text = encode(message);
    for (const member of local.members(roomId)) if (member.peerId !== exceptPeer) sendText(member.conn, text);
  }

  /** The local holder of `peerId` in `roomId`, if not `newConn`, was taken over: tell it and let go. */
  function letGo(roomId: string, peerId: string, newConnId: string): void {
    const old = local.get(roomId, peerId);
    if (!old || old.conn.id === newConnId) return;
    send(old.conn, error("replaced", `Peer ${peerId} joined room ${roomId} from another connection.`));
    detach(old.conn, roomId, peerId);
    release(roomId);
  }

  backplane.onEvent((event: RoomEvent) => {
    if (event.kind === "chat") deliverChat(event.roomId, event.message);
    else if (event.kind === "peer-joined") {
      const joined: ServerMessage = { type: "peer-joined", roomId: event.roomId, peerId: event.peerId };
      if (event.displayName !== undefined) joined.displayName = event.displayName;
      deliverToOthers(event.roomId, joined, event.peerId);
    } else if (event.kind === "peer-left") {
      deliverToOthers(event.roomId, { type: "peer-left", roomId: event.roomId, peerId: event.peerId }, "");
    } else letGo(event.roomId, event.peerId, event.conn);
  });

  function detach(c: Conn, roomId: string, peerId: string): void {
    c.rooms.delete(roomId);
    local.remove(roomId, peerId, c);
  }

  /** Shared presence forgets the peer (if this connection still holds it) and the room hears it. */
  async function depart(roomId: string, peerId: string, connId: string): Promise<void> {
    const removed = await backplane.removePeer(roomId, peerId, connId);
    release(roomId);
    if (!removed) return;
    deliverToOthers(roomId, { type: "peer-left", roomId, peerId }, "");
    await backplane.publish({ kind: "peer-left", roomId, peerId });
    log.log("INFO", "peer left", { roomId, peerId });
  }

  // --- client messages ---
  async function onJoin(c: Conn, msg: JoinRequest): Promise<void> {
    const held = c.rooms.get(msg.roomId);
    if (held !== undefined && held !== msg.peerId) {
      send(
        c,
        error("invalid-message", `This connection is in room ${msg.roomId} as ${held}; leave it first.`),
      );
      return;
    }
    if (held === undefined && c.rooms.size >= config.maxRoomsPerConnection) {
      send(
        c,
        error(
          "too-many-rooms",
          `Can't join room ${msg.roomId}: a connection may be in at most ${config.maxRoomsPerConnection} rooms; leave one first.`,
        ),
      );
      return;
    }
    if (held !== undefined) {
      const current = await backplane.getPeer(msg.roomId, msg.peerId);
      if (current?.conn === c.id) return sendJoined(c, msg, current, await snapshot(msg));
      detach(c, msg.roomId, msg.peerId); // presence was lost (e.g. swept): join afresh
      release(msg.roomId);
    }
    await backplane.subscribe(msg.roomId);
    const claimed = await claimPeer(c, msg);
    if (claimed === "taken") {
      release(msg.roomId);
      send(
        c,
        error(
          "peer-id-taken",
          `Peer ${msg.peerId} is in room ${msg.roomId} on another connection; rejoin with its token (from joined.token) or pick another peerId.`,
        ),
      );
      return;
    }
    if (claimed === "busy") {
      release(msg.roomId);
      send(
        c,
        error(
          "unavailable",
          `Can't join room ${msg.roomId} right now (peer ${msg.peerId} is changing); try again.`,
        ),
      );
      return;
    }
    const snap = await snapshot(msg);
    if (c.closed) {
      await depart(msg.roomId, msg.peerId, c.id);
      return;
    }
    const { entry, previous } = claimed;
    sendJoined(c, msg, entry, snap);
    if (previous && previous.instance === instance) letGo(msg.roomId, msg.peerId, c.id);
    local.add(msg.roomId, {
      peerId: msg.peerId,
      conn: c,
      floor: Math.max(msg.since ?? 0, snap.history.at(-1)?.seq ?? 0),
    });
    c.rooms.set(msg.roomId, msg.peerId);
    if (previous) {
      if (previous.instance !== instance) {
        await backplane.publish({ kind: "replaced", roomId: msg.roomId, peerId: msg.peerId, conn: c.id });
      }
      return;
    }
    const joined: ServerMessage = { type: "peer-joined", roomId: msg.roomId, peerId: msg.peerId };
    if (msg.displayName !== undefined) joined.displayName = msg.displayName;
    deliverToOthers(msg.roomId, joined, msg.peerId);
    await backplane.publish({
      kind: "peer-joined",
      roomId: msg.roomId,
      peerId: msg.peerId,
      ...(msg.displayName !== undefined ? { displayName: msg.displayName } : {}),
    });
    log.log("INFO", "peer joined", { roomId: msg.roomId, peerId: msg.peerId, peers: snap.peers.length });
  }

  /** Takes the peerId in the room's shared presence; another connection's peerId needs its token. */
  async function claimPeer(
    c: Conn,
    msg: JoinRequest,
  ): Promise<{ entry: PresenceEntry; previous: PresenceEntry | undefined } | "taken" | "busy"> {
    for (let attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
      const previous = await backplane.getPeer(msg.roomId, msg.peerId);
      // A holder on this instance whose connection already closed (its leave still queued) is gone.
      const holderGone = previous?.instance === instance && !connIds.has(previous.conn);
      const proven =
        previous !== undefined &&
        (previous.conn === c.id ||
          verifyPeerToken(deps.sessionSecret, msg.roomId, msg.peerId, previous.claim, msg.token));
      if (previous && !proven && !holderGone) return "taken";
      const entry: PresenceEntry = {
        peerId: msg.peerId,
        instance,
        conn: c.id,
        // Only a proven holder keeps the claim (and so its token); anyone else starts a new one.
        claim: proven ? previous.claim : newClaim(),
        order: previous?.order ?? 0,
        ...(msg.displayName !== undefined ? { displayName: msg.displayName } : {}),
      };
      if (await backplane.putPeer(msg.roomId, entry, previous)) return { entry, previous };
    }
    return "busy";
  }

  async function snapshot(msg: JoinRequest): Promise<{ peers: string[]; history: ChatMessage[] }> {
    const [peers, history] = await Promise.all([
      backplane.peers(msg.roomId),
      backplane.history(msg.roomId, msg.since ?? 0),
    ]);
    return { peers: peers.map((p) => p.peerId), history };
  }

  function sendJoined(
    c: Conn,
    msg: JoinRequest,
    entry: PresenceEntry,
    snap: { peers: string[]; history: ChatMessage[] },
  ): void {
    send(c, {
      type: "joined",
      roomId: msg.roomId,
      peerId: msg.peerId,
      peers: snap.peers,
      history: snap.history,
      token: peerToken(deps.sessionSecret, msg.roomId, msg.peerId, entry.claim),
      instance,
    });
  }

  async function onChat(c: Conn, msg: ChatMessageRequest): Promise<void> {
    const from = c.rooms.get(msg.roomId);
    if (from === undefined) return send(c, notInRoom(msg.roomId));
    const draft = { id: msg.message.id, content: msg.message.content, from, ts: Date.now() };
    const { seq, peerCount } = await backplane.append(msg.roomId, draft);
    const message: ChatMessage = { ...draft, seq };
    const skipSender = config.fault === "exclude-sender";
    deliverChat(msg.roomId, message, skipSender ? c : undefined);
    if (skipSender) {
      log.log("WARNING", "FAULT exclude-sender: broadcast skipped the sender", {
        fault: config.fault,
        roomId: msg.roomId,
        peerId: from,
        messageId: message.id,
      });
    }
    await backplane.publish({ kind: "chat", roomId: msg.roomId, message });
    send(c, {
      type: "message-delivered",
      roomId: msg.roomId,
      id: message.id,
      recipients: Math.max(0, skipSender ? peerCount - 1 : peerCount),
    });
  }

  async function onLeave(c: Conn, msg: LeaveRequest): Promise<void> {
    const peerId = c.rooms.get(msg.roomId);
    if (peerId === undefined) return send(c, notInRoom(msg.roomId));
    detach(c, msg.roomId, peerId);
    send(c, { type: "left", roomId: msg.roomId });
    await depart(msg.roomId, peerId, c.id);
  }

  async function onFrame(c: Conn, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return send(c, error("binary-not-supported", "Send JSON in text frames."));
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) return send(c, parsed.error);
    const msg = parsed.message;
    if (msg.type === "join") await onJoin(c, msg);
    else if (msg.type === "chat-message") await onChat(c, msg);
    else await onLeave(c, msg);
  }

  /**
   * Over the rate: drop the frame and stop reading the socket until a few tokens are back, so a
   * flood waits in the client's TCP buffers instead of costing this process (other rooms) CPU.
   */
  function throttle(c: Conn): void {
    rateLimited(c);
    if (c.ws.isPaused) return;
    c.ws.pause();
    const waitMs = Math.max(MIN_THROTTLE_MS, c.bucket.msUntil(THROTTLE_REFILL_TOKENS, Date.now()));
    setTimeout(() => {
      if (c.ws.readyState === WebSocket.OPEN) c.ws.resume();
    }, waitMs).unref();
  }

  function rateLimited(c: Conn): void {
    const now = Date.now();
    if (now - c.lastRateNoticeMs < RATE_NOTICE_INTERVAL_MS) return;
    c.lastRateNoticeMs = now;
    send(
      c,
      error(
        "rate-limited",
        `Too many messages: at most ${config.rateLimitPerS} per second (bursts of ${config.rateLimitBurst}); messages over the limit are dropped.`,
      ),
    );
  }

  wss.on("connection", (ws) => {
    const c: Conn = {
      id: randomBytes(9).toString("base64url"),
      ws,
      bucket: new TokenBucket(config.rateLimitPerS, config.rateLimitBurst, Date.now()),
      rooms: new Map(),
      queue: Promise.resolve(),
      closed: false,
      alive: true,
      lastRateNoticeMs: 0,
    };
    conns.set(ws, c);
    connIds.add(c.id);
    ws.on("pong", () => {
      c.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      if (c.closed || ws.readyState !== WebSocket.OPEN) return;
      if (!c.bucket.take(Date.now())) return throttle(c);
      enqueue(c, () => onFrame(c, data, isBinary));
    });
    // ws closes oversized frames with 1009 and reports it here; never let it crash the process.
    ws.on("error", (failure) => log.log("WARNING", "websocket error", { error: failure.message }));
    ws.on("close", () => {
      c.closed = true;
      conns.delete(ws);
      connIds.delete(c.id);
      const held = [...c.rooms];
      for (const [roomId, peerId] of held) detach(c, roomId, peerId);
      enqueue(c, async () => {
        for (const [roomId, peerId] of held) await depart(roomId, peerId, c.id);
      });
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
    roomCount: () => local.size,
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

function notInRoom(roomId: string): ServerMessage {
  return {
    type: "error",
    code: "not-in-room",
    message: `Can't use room ${roomId} before joining it; send a join message first.`,
  };
}
