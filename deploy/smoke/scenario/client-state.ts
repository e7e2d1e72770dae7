import type { ScenarioClient } from "../../config/scenario-spec.js";
import type { Inbound } from "../echo/connection.js";
import type { Inbox } from "../echo/inbox.js";

interface ConnectionRecord {
  inbox: Inbox;
  openedAtStep: number;
  /** performance.now() when it opened. */
  openedAt: number;
  ended?: { how: "closed" | "dropped" | "lost" | "left open"; atStep: number };
}

/**
 * One named client of a scenario over its life: every connection it had (the current one last),
 * which received messages steps already took, and what it sent since it last connected.
 */
export class ClientState {
  readonly connections: ConnectionRecord[] = [];
  /** Message → the step that took it. */
  readonly taken = new Map<Inbound, number>();
  lastSent: { step: number; what: string } | undefined;

  constructor(
    readonly name: string,
    readonly identity: ScenarioClient,
  ) {}

  get current(): ConnectionRecord | undefined {
    const last = this.connections.at(-1);
    return last && !last.ended && last.inbox.closedReason === undefined ? last : undefined;
  }

  opened(inbox: Inbox, step: number): void {
    const previous = this.connections.at(-1);
    if (previous && !previous.ended) previous.ended = { how: "lost", atStep: step };
    this.connections.push({ inbox, openedAtStep: step, openedAt: performance.now() });
    this.lastSent = undefined;
  }

  ended(how: "closed" | "dropped" | "left open", step: number): void {
    const last = this.connections.at(-1);
    if (last && !last.ended) last.ended = { how, atStep: step };
  }

  /** Why the client is not connected: never was, closed or dropped by a step, or ended by the server. */
  whyNotConnected(step: number): string {
    const last = this.connections.at(-1);
    if (!last) return `${this.name} is not connected at step ${step}: add a connect step before it`;
    if (last.ended && last.ended.how !== "lost")
      return `${this.name} is not connected at step ${step} (${last.ended.how} at step ${last.ended.atStep}): add a reconnect step before it`;
    return `${this.name}'s connection ended before step ${step}: ${last.inbox.closedReason ?? "closed by the server"}`;
  }

  /** Received on the current connection and not taken by an earlier step. */
  untaken(): Inbound[] {
    return this.current?.inbox.messages.filter((message) => !this.taken.has(message)) ?? [];
  }
}
