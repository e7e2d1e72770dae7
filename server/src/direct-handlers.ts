import { type Backplane, type RoomEvent, userChannel } from "./backplane/backplane.js";
import { type Connection, errorMessage } from "./connection.js";
import { KeyedQueue } from "./keyed-queue.js";
import type { Logger } from "./logger.js";
import type { DirectMessage, DirectMessageRequest, RegisterRequest } from "./protocol.js";
import type { Store } from "./store/store.js";

/** Direct messages sent on one `register` (oldest first); the rest follow on the next register. */
const PENDING_BATCH = 500;

export interface DirectHandlerDeps {
  log: Logger;
  backplane: Backplane;
  store: Store;
}

export interface SentDirect {
  message: DirectMessage;
  /** `live`: handed to the recipient's connection (here or on another instance); `stored`: it waits for the recipient. */
  delivery: "live" | "stored";
}

export interface DirectHandlers {
  register(c: Connection, msg: RegisterRequest): Promise<void>;
  dm(c: Connection, msg: DirectMessageRequest): Promise<void>;
  /** Stores a direct message and delivers it if its recipient is connected (WebSocket or REST). */
  send(from: string, to: string, body: { id: string; content: string }): Promise<SentDirect>;
  closed(c: Connection): () => Promise<void>;
  /** Users registered on this instance. */
  userCount(): number;
}

/** The connection a user's live messages go to; until its stored ones are out, live ones wait. */
interface Holder {
  conn: Connection;
  ready: boolean;
  waiting: DirectMessage[];
}

/**
 * register / dm: the latest connection to register a user gets its direct messages (an older one,
 * a phone's dead socket say, is told `replaced` and gets nothing more); messages to a user who is
 * not connected are stored and sent when it registers again.
 */
export function createDirectHandlers(deps: DirectHandlerDeps): DirectHandlers {
  const { log, backplane, store } = deps;
  const users = new Map<string, Holder>();

  // Per recipient, one delivery at a time: its messages go out in `seq` order.
  const delivering = new KeyedQueue();

  /**
   * Marks first, then sends (and unmarks when the socket is gone by then): once a client holds a
   * message the store says delivered, so a registration right after never gets it twice.
   */
  async function handOver(holder: Holder, userId: string, messages: DirectMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const seqs = messages.map((message) => message.seq);
    await setDelivered(userId, seqs, true);
    const failed = messages.filter((message) => !holder.conn.send({ type: "dm", message }));
    await setDelivered(
      userId,
      failed.map((message) => message.seq),
      false,
    );
    return messages.length - failed.length;
  }

  async function setDelivered(userId: string, seqs: number[], delivered: boolean): Promise<void> {
    if (seqs.length === 0) return;
    try {
      await store.setDelivered(userId, seqs, delivered);
    } catch (failure) {
      // Not marked: sent again on the next register (clients drop a `seq` they have).
      log.log("WARNING", "Failed to record direct message delivery", { userId, error: String(failure) });
    }
  }

  /** Hands the message to the user's connection on this instance; false when it has none. */
  function deliverHere(message: DirectMessage): Promise<boolean> {
    return delivering.run(message.to, async () => {
      const holder = users.get(message.to);
      if (!holder) return false;
      if (!holder.ready) {
        holder.waiting.push(message);
        return true;
      }
      return (await handOver(holder, message.to, [message])) === 1;
    });
  }

  function letGo(userId: string, exceptConnId: string): void {
    const holder = users.get(userId);
    if (!holder || holder.conn.id === exceptConnId) return;
    users.delete(userId);
    holder.conn.user = undefined;
    holder.conn.send(
      errorMessage(
        "replaced",
        `User ${userId} registered from another connection; this one gets no more of its direct messages.`,
      ),
    );
    release(userId);
  }

  function release(userId: string): void {
    backplane.unsubscribe(userChannel(userId)).catch((failure: unknown) => {
      log.log("WARNING", "Failed to unsubscribe from a user's channel", { userId, error: String(failure) });
    });
  }

  async function onRegister(c: Connection, msg: RegisterRequest): Promise<void> {
    const { userId } = msg;
    if (c.closed) return;
    if (c.user !== undefined && c.user !== userId) {
      c.send(
        errorMessage(
          "invalid-message",
          `This connection is registered as ${c.user}; open another connection for ${userId}.`,
        ),
      );
      return;
    }
    const previous = users.get(userId);
    if (previous && previous.conn !== c) letGo(userId, c.id);
    const holder: Holder = { conn: c, ready: false, waiting: [] };
    users.set(userId, holder);
    c.user = userId;
    if (previous?.conn !== c) await backplane.subscribe(userChannel(userId));
    await backplane.publish({ kind: "user-registered", roomId: userChannel(userId), userId, conn: c.id });
    const pending = await store.pendingDms(userId, msg.since, PENDING_BATCH);
    if (users.get(userId) !== holder) return; // taken over meanwhile
    c.send({ type: "registered", userId, pending: pending.length });
    await delivering.run(userId, async () => {
      const seen = new Set(pending.map((message) => message.seq));
      const waited = holder.waiting.splice(0).filter((message) => !seen.has(message.seq));
      holder.ready = true;
      await handOver(holder, userId, [...pending, ...waited]);
    });
    log.log("INFO", "user registered", { userId, pending: pending.length });
  }

  async function send(from: string, to: string, body: { id: string; content: string }): Promise<SentDirect> {
    const message = await store.saveDm({ id: body.id, content: body.content, from, to, ts: Date.now() });
    if (await deliverHere(message)) return { message, delivery: "live" };
    const reached = await backplane.publish({ kind: "dm", roomId: userChannel(to), message });
    return { message, delivery: reached > 0 ? "live" : "stored" };
  }

  async function onDm(c: Connection, msg: DirectMessageRequest): Promise<void> {
    if (c.user === undefined) {
      c.send(errorMessage("not-registered", "Send a register message (your userId) before direct messages."));
      return;
    }
    const { message, delivery } = await send(c.user, msg.to, msg.message);
    c.send({ type: "dm-sent", id: message.id, to: message.to, seq: message.seq, ts: message.ts, delivery });
  }

  backplane.onEvent((event: RoomEvent) => {
    if (event.kind === "dm") void deliverHere(event.message);
    else if (event.kind === "user-registered") letGo(event.userId, event.conn);
  });

  return {
    register: onRegister,
    dm: onDm,
    send,
    closed(c) {
      const userId = c.user;
      if (userId !== undefined && users.get(userId)?.conn === c) {
        users.delete(userId);
        c.user = undefined;
        return async () => release(userId);
      }
      return async () => undefined;
    },
    userCount: () => users.size,
  };
}
