import type { Backplane, PresenceEntry, RoomEvent } from "./backplane/backplane.js";
import type { ServerConfig } from "./config.js";
import { type Connection, errorMessage } from "./connection.js";
import { KeyedQueue } from "./keyed-queue.js";
import type { Logger } from "./logger.js";
import { newClaim, peerToken, verifyPeerToken } from "./peer-token.js";
import {
  type ChatMessage,
  type ChatMessageRequest,
  encode,
  type JoinRequest,
  type LeaveRequest,
  type ServerMessage,
} from "./protocol.js";
import { LocalRooms } from "./rooms.js";
import type { Store } from "./store/store.js";

const JOIN_ATTEMPTS = 3;

export interface RoomHandlerDeps {
  config: ServerConfig;
  log: Logger;
  backplane: Backplane;
  /** With a database (`store.rooms`), room messages are kept there and history is read from it. */
  store: Store;
  /** This instance's id (instance-id.ts): recorded in presence, reported in `joined`. */
  instance: string;
  /** HMAC key for peer tokens. */
  sessionSecret: string;
  /** Is a connection with this id still open on this instance? */
  isOpen(connId: string): boolean;
}

export interface PostedChat {
  message: ChatMessage;
  /** Peers in the room (on every instance) the message went to. */
  recipients: number;
}

export interface RoomHandlers {
  join(c: Connection, msg: JoinRequest): Promise<void>;
  chat(c: Connection, msg: ChatMessageRequest): Promise<void>;
  leave(c: Connection, msg: LeaveRequest): Promise<void>;
  /**
   * The connection closed: it leaves its rooms on this instance at once; the returned task (run
   * after its queued frames) takes it out of the shared presence.
   */
  closed(c: Connection): () => Promise<void>;
  /** Rooms with members on this instance. */
  roomCount(): number;
  /**
   * Numbers, keeps and fans out one chat message from `from` (a member's connection, or the REST
   * API without one): the same path for both, in order per room.
   */
  post(
    roomId: string,
    from: string,
    body: { id: string; content: string },
    sender?: Connection,
  ): Promise<PostedChat>;
  /** The room's history with `seq` > `sinceSeq` (at most ROOM_HISTORY_LIMIT), oldest first. */
  history(roomId: string, sinceSeq: number): Promise<ChatMessage[]>;
}

/**
 * join / chat-message / leave over the backplane: shared presence (with peer tokens) and history
 * there, delivery to this instance's members here, and the other instances told by publish.
 */
export function createRoomHandlers(deps: RoomHandlerDeps): RoomHandlers {
  const { config, log, backplane, instance } = deps;
  const archive = deps.store.rooms;
  const local = new LocalRooms<Connection>();
  const posting = new KeyedQueue();

  function history(roomId: string, sinceSeq: number): Promise<ChatMessage[]> {
    return archive
      ? archive.history(roomId, sinceSeq, config.historyLimit)
      : backplane.history(roomId, sinceSeq);
  }

  function release(roomId: string): void {
    backplane.unsubscribe(roomId).catch((failure: unknown) => {
      log.log("WARNING", "Failed to unsubscribe from a room", { roomId, error: String(failure) });
    });
  }

  // --- delivery of room events to this instance's members ---
  function deliverChat(roomId: string, message: ChatMessage, skip?: Connection): void {
    const text = encode({ type: "chat-message", roomId, message });
    for (const member of local.members(roomId)) {
      if (member.conn !== skip && member.floor < message.seq) member.conn.sendText(text);
    }
  }

  function deliverToOthers(roomId: string, message: ServerMessage, exceptPeer: string): void {
    const text = encode(message);
    for (const member of local.members(roomId)) if (member.peerId !== exceptPeer) member.conn.sendText(text);
  }

  /** The local holder of `peerId` in `roomId`, if not `newConn`, was taken over: tell it and let go. */
  function letGo(roomId: string, peerId: string, newConnId: string): void {
    const old = local.get(roomId, peerId);
    if (!old || old.conn.id === newConnId) return;
    old.conn.send(errorMessage("replaced", `Peer ${peerId} joined room ${roomId} from another connection.`));
    detach(old.conn, roomId, peerId);
    release(roomId);
  }

  function detach(c: Connection, roomId: string, peerId: string): void {
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
  async function onJoin(c: Connection, msg: JoinRequest): Promise<void> {
    const held = c.rooms.get(msg.roomId);
    if (held !== undefined && held !== msg.peerId) {
      c.send(
        errorMessage(
          "invalid-message",
          `This connection is in room ${msg.roomId} as ${held}; leave it first.`,
        ),
      );
      return;
    }
    if (held === undefined && c.rooms.size >= config.maxRoomsPerConnection) {
      c.send(
        errorMessage(
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
      c.send(
        errorMessage(
          "peer-id-taken",
          `Peer ${msg.peerId} is in room ${msg.roomId} on another connection; rejoin with its token (from joined.token) or pick another peerId.`,
        ),
      );
      return;
    }
    if (claimed === "busy") {
      release(msg.roomId);
      c.send(
        errorMessage(
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
    c: Connection,
    msg: JoinRequest,
  ): Promise<{ entry: PresenceEntry; previous: PresenceEntry | undefined } | "taken" | "busy"> {
    for (let attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
      const previous = await backplane.getPeer(msg.roomId, msg.peerId);
      // A holder on this instance whose connection already closed (its leave still queued) is gone.
      const holderGone = previous?.instance === instance && !deps.isOpen(previous.conn);
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
    const [peers, kept] = await Promise.all([
      backplane.peers(msg.roomId),
      history(msg.roomId, msg.since ?? 0),
    ]);
    return { peers: peers.map((p) => p.peerId), history: kept };
  }

  function sendJoined(
    c: Connection,
    msg: JoinRequest,
    entry: PresenceEntry,
    snap: { peers: string[]; history: ChatMessage[] },
  ): void {
    c.send({
      type: "joined",
      roomId: msg.roomId,
      peerId: msg.peerId,
      peers: snap.peers,
      history: snap.history,
      token: peerToken(deps.sessionSecret, msg.roomId, msg.peerId, entry.claim),
      instance,
    });
  }

  async function onChat(c: Connection, msg: ChatMessageRequest): Promise<void> {
    const from = c.rooms.get(msg.roomId);
    if (from === undefined) {
      c.send(notInRoom(msg.roomId));
      return;
    }
    const { message, recipients } = await post(msg.roomId, from, msg.message, c);
    c.send({ type: "message-delivered", roomId: msg.roomId, id: message.id, recipients });
  }

  function post(
    roomId: string,
    from: string,
    body: { id: string; content: string },
    sender?: Connection,
  ): Promise<PostedChat> {
    return posting.run(roomId, async () => {
      const draft = { id: body.id, content: body.content, from, ts: Date.now() };
      const { seq, peerCount } = await backplane.append(roomId, draft);
      const message: ChatMessage = { ...draft, seq };
      // Kept before anyone sees it: a message delivered live is also in the history.
      if (archive) await archive.append(roomId, message);
      const skipSender = sender !== undefined && config.fault === "exclude-sender";
      deliverChat(roomId, message, skipSender ? sender : undefined);
      if (skipSender) {
        log.log("WARNING", "FAULT exclude-sender: broadcast skipped the sender", {
          fault: config.fault,
          roomId,
          peerId: from,
          messageId: message.id,
        });
      }
      await backplane.publish({ kind: "chat", roomId, message });
      return { message, recipients: Math.max(0, skipSender ? peerCount - 1 : peerCount) };
    });
  }

  async function onLeave(c: Connection, msg: LeaveRequest): Promise<void> {
    const peerId = c.rooms.get(msg.roomId);
    if (peerId === undefined) {
      c.send(notInRoom(msg.roomId));
      return;
    }
    detach(c, msg.roomId, peerId);
    c.send({ type: "left", roomId: msg.roomId });
    await depart(msg.roomId, peerId, c.id);
  }

  backplane.onEvent((event: RoomEvent) => {
    if (event.kind === "chat") deliverChat(event.roomId, event.message);
    else if (event.kind === "peer-joined") {
      const joined: ServerMessage = { type: "peer-joined", roomId: event.roomId, peerId: event.peerId };
      if (event.displayName !== undefined) joined.displayName = event.displayName;
      deliverToOthers(event.roomId, joined, event.peerId);
    } else if (event.kind === "peer-left") {
      deliverToOthers(event.roomId, { type: "peer-left", roomId: event.roomId, peerId: event.peerId }, "");
    } else if (event.kind === "replaced") letGo(event.roomId, event.peerId, event.conn);
  });

  return {
    join: onJoin,
    chat: onChat,
    leave: onLeave,
    closed(c) {
      const held = [...c.rooms];
      for (const [roomId, peerId] of held) detach(c, roomId, peerId);
      return async () => {
        for (const [roomId, peerId] of held) await depart(roomId, peerId, c.id);
      };
    },
    roomCount: () => local.size,
    post,
    history,
  };
}

function notInRoom(roomId: string): ServerMessage {
  return {
    type: "error",
    code: "not-in-room",
    message: `Can't use room ${roomId} before joining it; send a join message first.`,
  };
}
