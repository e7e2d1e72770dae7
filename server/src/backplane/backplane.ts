import type { ChatMessage, DirectMessage } from "../protocol.js";

/** Who holds a peerId in a room, wherever (which instance, which connection) it is connected. */
export interface PresenceEntry {
  peerId: string;
  displayName?: string;
  /** Instance id (see instance-id.ts) holding the connection. */
  instance: string;
  /** Id of the connection on that instance. */
  conn: string;
  /** Nonce of the peer token issued on first join; a reclaim must present a token signing it. */
  claim: string;
  /** Join order across the room (peers are listed in this order). */
  order: number;
}

/**
 * What one instance tells the others about a room, or about a user: `roomId` is the channel, a
 * room's id or a user's inbox channel (`userChannel`). Chat carries its history sequence number.
 */
export type RoomEvent =
  | { kind: "chat"; roomId: string; message: ChatMessage }
  | { kind: "peer-joined"; roomId: string; peerId: string; displayName?: string }
  | { kind: "peer-left"; roomId: string; peerId: string }
  /** `peerId` was taken over by connection `conn`; whoever else holds it locally lets go. */
  | { kind: "replaced"; roomId: string; peerId: string; conn: string }
  /** A direct message for `message.to`, already stored; the instance holding the user delivers it. */
  | { kind: "dm"; roomId: string; message: DirectMessage }
  /** `userId` registered on connection `conn`; any other connection holding it lets go. */
  | { kind: "user-registered"; roomId: string; userId: string; conn: string };

/** The channel of a user's direct messages (a room named like it only shares the channel, never the events). */
export function userChannel(userId: string): string {
  return `@user/${userId}`;
}

export type RoomEventListener = (event: RoomEvent) => void;

/**
 * Rooms, presence and history shared by every instance of the server, plus fan-out of room
 * events between them. Two implementations: memory (one process; today's behaviour) and redis
 * (pub/sub fan-out, bounded history, presence that expires with its instance).
 */
export interface Backplane {
  readonly kind: "memory" | "redis";
  getPeer(roomId: string, peerId: string): Promise<PresenceEntry | undefined>;
  /**
   * Writes `entry` only if the room's current entry for the peer is still `expected` (compare
   * and set, so two joins racing for one peerId can't both win). false: it changed; read again.
   */
  putPeer(roomId: string, entry: PresenceEntry, expected: PresenceEntry | undefined): Promise<boolean>;
  /** Removes the peer if connection `conn` still holds it; an emptied room loses its history. */
  removePeer(roomId: string, peerId: string, conn: string): Promise<boolean>;
  /** Everyone in the room, in join order. */
  peers(roomId: string): Promise<PresenceEntry[]>;
  /** Stores the message under the next sequence number (history bounded) and counts the room. */
  append(roomId: string, message: Omit<ChatMessage, "seq">): Promise<{ seq: number; peerCount: number }>;
  /** The room's kept history with `seq` > `sinceSeq`, oldest first. */
  history(roomId: string, sinceSeq: number): Promise<ChatMessage[]>;
  /** Sends the event to the other instances subscribed to its channel (never back to this one); how many that was. */
  publish(event: RoomEvent): Promise<number>;
  /** Reference counted: events for the room reach `onEvent` while at least one subscribe holds. */
  subscribe(roomId: string): Promise<void>;
  unsubscribe(roomId: string): Promise<void>;
  /** Events from other instances, and `peer-left` for peers of instances found dead. */
  onEvent(listener: RoomEventListener): void;
  close(): Promise<void>;
}
