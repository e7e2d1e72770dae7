export interface LocalMember<C> {
  peerId: string;
  conn: C;
  /** Chat messages with `seq` <= floor were in this member's `joined.history`; skip them live. */
  floor: number;
}

/**
 * Pure: which of this instance's connections are in which room under which peerId. Shared state
 * (presence across instances, history) lives in the backplane. `C` is the connection handle.
 */
export class LocalRooms<C> {
  readonly #rooms = new Map<string, Map<string, LocalMember<C>>>();

  get size(): number {
    return this.#rooms.size;
  }

  add(roomId: string, member: LocalMember<C>): void {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = new Map();
      this.#rooms.set(roomId, room);
    }
    room.set(member.peerId, member);
  }

  get(roomId: string, peerId: string): LocalMember<C> | undefined {
    return this.#rooms.get(roomId)?.get(peerId);
  }

  members(roomId: string): LocalMember<C>[] {
    return [...(this.#rooms.get(roomId)?.values() ?? [])];
  }

  /** Removes the member if `conn` holds it; true when it did. A room without members is dropped. */
  remove(roomId: string, peerId: string, conn: C): boolean {
    const room = this.#rooms.get(roomId);
    if (room?.get(peerId)?.conn !== conn) return false;
    room.delete(peerId);
    if (room.size === 0) this.#rooms.delete(roomId);
    return true;
  }

  has(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }
}
