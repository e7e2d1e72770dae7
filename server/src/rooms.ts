import type { ChatMessage } from "./protocol.js";

export interface Member<C> {
  peerId: string;
  displayName: string | undefined;
  conn: C;
}

interface Room<C> {
  members: Map<string, Member<C>>;
  history: ChatMessage[];
}

export type JoinOutcome<C> =
  | { kind: "joined"; peers: string[]; history: ChatMessage[] }
  | { kind: "rejoined"; peers: string[]; history: ChatMessage[] }
  | { kind: "replaced"; previous: C; peers: string[]; history: ChatMessage[] };

/**
 * Pure room state: who is in which room and the recent history. `C` is the connection
 * handle (a WebSocket in the server, anything in tests). A room disappears, history
 * included, when its last member leaves.
 */
export class Rooms<C> {
  readonly #rooms = new Map<string, Room<C>>();
  readonly #historyLimit: number;

  constructor(historyLimit: number) {
    this.#historyLimit = historyLimit;
  }

  get size(): number {
    return this.#rooms.size;
  }

  join(roomId: string, peerId: string, conn: C, displayName?: string): JoinOutcome<C> {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = { members: new Map(), history: [] };
      this.#rooms.set(roomId, room);
    }
    const existing = room.members.get(peerId);
    room.members.set(peerId, { peerId, displayName, conn });
    const snapshot = { peers: [...room.members.keys()], history: [...room.history] };
    if (!existing) return { kind: "joined", ...snapshot };
    if (existing.conn === conn) return { kind: "rejoined", ...snapshot };
    // Same peer on a new connection (e.g. a phone reconnecting): the new one takes over.
    return { kind: "replaced", previous: existing.conn, ...snapshot };
  }

  /** The peerId `conn` uses in `roomId`, or undefined when it is not a member. */
  peerIdOf(roomId: string, conn: C): string | undefined {
    for (const member of this.#rooms.get(roomId)?.members.values() ?? []) {
      if (member.conn === conn) return member.peerId;
    }
    return undefined;
  }

  members(roomId: string): Member<C>[] {
    return [...(this.#rooms.get(roomId)?.members.values() ?? [])];
  }

  /** Removes `conn` from `roomId`; returns the peerId it had there. */
  leave(roomId: string, conn: C): string | undefined {
    const room = this.#rooms.get(roomId);
    const peerId = this.peerIdOf(roomId, conn);
    if (!room || peerId === undefined) return undefined;
    room.members.delete(peerId);
    if (room.members.size === 0) this.#rooms.delete(roomId);
    return peerId;
  }

  /** Removes `conn` from every room; returns the rooms and peerIds it left. */
  leaveAll(conn: C): Array<{ roomId: string; peerId: string }> {
    const left: Array<{ roomId: string; peerId: string }> = [];
    for (const roomId of [...this.#rooms.keys()]) {
      const peerId = this.leave(roomId, conn);
      if (peerId !== undefined) left.push({ roomId, peerId });
    }
    return left;
  }

  addToHistory(roomId: string, message: ChatMessage): void {
    const room = this.#rooms.get(roomId);
    if (!room || this.#historyLimit === 0) return;
    room.history.push(message);
    if (room.history.length > this.#historyLimit)
      room.history.splice(0, room.history.length - this.#historyLimit);
  }
}
