import type { EchoConnection, Inbound } from "./connection.js";

export type WaitResult =
  | { kind: "received"; message: Inbound }
  | { kind: "timeout" }
  | { kind: "closed"; reason: string };

interface Waiter {
  predicate: (message: Inbound) => boolean;
  after: number;
  settle: (result: WaitResult) => void;
}

/** Everything one client received, and waits for the next message matching a predicate. */
export class Inbox {
  readonly messages: Inbound[] = [];
  closedReason: string | undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(readonly connection: EchoConnection) {
    connection.onMessage((message) => {
      this.messages.push(message);
      for (const waiter of this.waiters) {
        if (message.at >= waiter.after && waiter.predicate(message))
          waiter.settle({ kind: "received", message });
      }
    });
    connection.onClosed((reason) => {
      this.closedReason = reason;
      for (const waiter of this.waiters) waiter.settle({ kind: "closed", reason });
    });
  }

  get client(): string {
    return this.connection.client;
  }

  /** The first message received at or after `after` that matches; rejects only when `signal` aborts. */
  waitFor(
    predicate: (message: Inbound) => boolean,
    options: { after: number; timeoutMs: number; signal: AbortSignal },
  ): Promise<WaitResult> {
    const found = this.messages.find((message) => message.at >= options.after && predicate(message));
    if (found) return Promise.resolve({ kind: "received", message: found });
    if (this.closedReason !== undefined)
      return Promise.resolve({ kind: "closed", reason: this.closedReason });
    if (options.signal.aborted) return Promise.reject(options.signal.reason);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        predicate,
        after: options.after,
        settle: (result) => {
          done();
          resolve(result);
        },
      };
      const onAbort = () => {
        done();
        reject(options.signal.reason);
      };
      const timer = setTimeout(() => waiter.settle({ kind: "timeout" }), options.timeoutMs);
      options.signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * What the client got instead of a match, at or after `after`: the last
   * error-looking message (a server's refusal explains most failures), else the last one.
   */
  lastIgnored(predicate: (message: Inbound) => boolean, after: number): Inbound | undefined {
    const ignored = this.messages.filter((message) => message.at >= after && !predicate(message));
    return ignored.findLast(looksLikeError) ?? ignored.at(-1);
  }
}

function looksLikeError(message: Inbound): boolean {
  if (message.event !== undefined && /error/i.test(message.event)) return true;
  const payload = message.payload;
  if (payload === null || typeof payload !== "object") return false;
  const record = payload as Record<string, unknown>;
  return "error" in record || (typeof record.type === "string" && /error/i.test(record.type));
}
