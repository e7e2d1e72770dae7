import type { Fault } from "./config.js";
import type { Member } from "./rooms.js";

/**
 * Who receives a chat message: everyone in the room, the sender included (io.to(room)
 * semantics). The `exclude-sender` fault reproduces socket.to(room) for tests and demos.
 */
export function chatRecipients<C>(members: readonly Member<C>[], sender: C, fault: Fault | null): C[] {
  const conns = members.map((member) => member.conn);
  return fault === "exclude-sender" ? conns.filter((conn) => conn !== sender) : conns;
}
