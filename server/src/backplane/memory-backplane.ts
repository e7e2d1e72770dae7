import type { ChatMessage } from "../protocol.js";
import type { Backplane, PresenceEntry, RoomEvent, RoomEventListener } from "./backplane.js";

interface Room {
  peers: Map<string, PresenceEntry>;
  history: ChatMessage[];
}

/** Microseconds since the epoch: above any earlier run's counter, well below 2^53. */
export function initialSeq(nowMs: number = Date.now()): number {
  return nowMs * 1000;
}

/**
 * One process, nothing shared: rooms live in memory and vanish, history included, when their
 * last peer leaves. There are no other instances, so publish and subscribe do nothing.
 */
export class MemoryBackplane implements Backplane {
  readonly kind = "memory";
  readonly #rooms = new Map<string, Room>();
  readonly #historyLimit: number;
  // Seeded from the clock so a restarted process keeps numbering above the last run's: a client
  // rejoining with `since` from before the restart must not find every new message "already seen".
  #seq = initialSeq();
  #order = 0;

  constructor(historyLimit: number) {
    this.#historyLimit = historyLimit;
  }

  async getPeer(roomId: string, peerId: string): Promise<PresenceEntry | undefined> {
    return this.#rooms.get(roomId)?.peers.get(peerId);
  }

  async putPeer(roomId: string, entry: PresenceEntry, expected: PresenceEntry | undefined): Promise<boolean> {
    let room = this.#rooms.get(roomId);
    if (room?.peers.get(entry.peerId) !== expected) return false;
    if (!room) {
      room = { peers: new Map(), history: [] };
      this.#rooms.set(roomId, room);
    }
    room.peers.set(entry.peerId, { ...entry, order: expected?.order ?? ++this.#order });
    return true;
  }

  async removePeer(roomId: string, peerId: string, conn: string): Promise<boolean> {
    const room = this.#rooms.get(roomId);
    if (room?.peers.get(peerId)?.conn !== conn) return false;
    room.peers.delete(peerId);
    if (room.peers.size === 0) this.#rooms.delete(roomId);
    return true;
  }

  async peers(roomId: string): Promise<PresenceEntry[]> {
    return [...(this.#rooms.get(roomId)?.peers.values() ?? [])].sort((a, b) => a.order - b.order);
  }

  async append(
    roomId: string,
    message: Omit<ChatMessage, "seq">,
  ): Promise<{ seq: number; peerCount: number }> {
    const seq = ++this.#seq;
    const room = this.#rooms.get(roomId);
    if (room && this.#historyLimit > 0) {
      room.history.push({ ...message, seq });
      if (room.history.length > this.#historyLimit)
        room.history.splice(0, room.history.length - this.#historyLimit);
    }
    return { seq, peerCount: room?.peers.size ?? 0 };
  }

  async history(roomId: string, sinceSeq: number): Promise<ChatMessage[]> {
    return (this.#rooms.get(roomId)?.history ?? []).filter((message) => message.seq > sinceSeq);
  }

  async publish(_event: RoomEvent): Promise<number> {
    return 0;
  }
  async subscribe(_roomId: string): Promise<void> {}
  async unsubscribe(_roomId: string): Promise<void> {}
  onEvent(_listener: RoomEventListener): void {}
  async close(): Promise<void> {
    this.#rooms.clear();
  }

  /** Rooms with at least one peer (for tests and /health bookkeeping). */
  get size(): number {
    return this.#rooms.size;
  }
}
