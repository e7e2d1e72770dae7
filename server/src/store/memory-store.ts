import { initialSeq } from "../backplane/memory-backplane.js";
import type { DirectMessage } from "../protocol.js";
import type { Store } from "./store.js";

interface Kept {
  message: DirectMessage;
  delivered: boolean;
}

/** Users whose messages are kept; past it the one written to longest ago is forgotten. */
const MAX_USERS = 10_000;

/**
 * One process, no database: direct messages wait in memory for their recipient (at most
 * `perUserLimit` per user, the oldest dropped first; at most MAX_USERS users) and are gone on
 * restart. Room history stays with the backplane.
 */
export class MemoryStore implements Store {
  readonly kind = "memory";
  readonly rooms = null;
  readonly #byUser = new Map<string, Kept[]>();
  readonly #perUserLimit: number;
  // Seeded from the clock like the room counter: a client's `since` from before a restart stays below.
  #seq = initialSeq();

  constructor(perUserLimit: number) {
    this.#perUserLimit = perUserLimit;
  }

  async saveDm(draft: Omit<DirectMessage, "seq">): Promise<DirectMessage> {
    const message: DirectMessage = { ...draft, seq: ++this.#seq };
    for (const userId of new Set([draft.to, draft.from])) {
      const kept = this.#byUser.get(userId) ?? [];
      kept.push({ message, delivered: userId !== draft.to });
      if (kept.length > this.#perUserLimit) kept.splice(0, kept.length - this.#perUserLimit);
      // Re-inserted so the map's order is the order of last writes.
      this.#byUser.delete(userId);
      this.#byUser.set(userId, kept);
    }
    for (const userId of this.#byUser.keys()) {
      if (this.#byUser.size <= MAX_USERS) break;
      this.#byUser.delete(userId);
    }
    return message;
  }

  async pendingDms(userId: string, sinceSeq: number | undefined, limit: number): Promise<DirectMessage[]> {
    const inbox = (this.#byUser.get(userId) ?? []).filter((kept) => kept.message.to === userId);
    const wanted = inbox.filter((kept) =>
      sinceSeq === undefined ? !kept.delivered : kept.message.seq > sinceSeq,
    );
    return wanted.slice(0, limit).map((kept) => kept.message);
  }

  async setDelivered(userId: string, seqs: readonly number[], delivered: boolean): Promise<void> {
    const wanted = new Set(seqs);
    for (const kept of this.#byUser.get(userId) ?? []) {
      if (kept.message.to === userId && wanted.has(kept.message.seq)) kept.delivered = delivered;
    }
  }

  async conversation(userId: string, sinceSeq: number, limit: number): Promise<DirectMessage[]> {
    const all = (this.#byUser.get(userId) ?? []).filter((kept) => kept.message.seq > sinceSeq);
    return all.slice(-limit).map((kept) => kept.message);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.#byUser.clear();
  }
}
