import type { ChatMessage, DirectMessage } from "../protocol.js";

/** Room messages kept durably, beyond the room's life in the backplane. */
export interface RoomArchive {
  append(roomId: string, message: ChatMessage): Promise<void>;
  /** The last `limit` messages of the room with `seq` > `sinceSeq`, oldest first. */
  history(roomId: string, sinceSeq: number, limit: number): Promise<ChatMessage[]>;
}

/**
 * Where messages live: direct messages always (an offline recipient's wait for it here), room
 * messages only in a database (`rooms`); without one a room's history stays in the backplane.
 * Two implementations: memory (one process, gone on restart) and postgres (DATABASE_URL).
 */
export interface Store {
  readonly kind: "memory" | "postgres";
  readonly rooms: RoomArchive | null;
  /** Keeps the message under the next direct-message `seq`, not yet delivered. */
  saveDm(draft: Omit<DirectMessage, "seq">): Promise<DirectMessage>;
  /** What a registering user gets: with `sinceSeq`, every DM to it after that; else those never delivered. Oldest first. */
  pendingDms(userId: string, sinceSeq: number | undefined, limit: number): Promise<DirectMessage[]>;
  /** Records whether these DMs to `userId` were handed to its connection. */
  setDelivered(userId: string, seqs: readonly number[], delivered: boolean): Promise<void>;
  /** DMs to or from `userId` with `seq` > `sinceSeq`, oldest first (the REST inbox). */
  conversation(userId: string, sinceSeq: number, limit: number): Promise<DirectMessage[]>;
  /** Does the database answer now? Always true in memory. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
