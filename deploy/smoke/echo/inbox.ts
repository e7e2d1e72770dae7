import type { EchoConnection, Inbound } from "./connection.js";

export type WaitResult =
  | { kind: "received"; message: Inbound }
  | { kind: "timeout" }
  | { kind: "closed"; reason: string };

interface Waiter {
  predicate: (message: Inbound) => boolean;
  after: number;
  settle: (result: WaitResult) => void;
  cancel: (reason: unknown) => void;
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

  /**
   * The first message received at or after `after` that matches; rejects only when `signal` aborts
   * or cancelWaits() is called.
   */
  waitFor(
    predicate: (message: Inbound) => boolean,
    options: { after: number; timeoutMs: number; signal?: AbortSignal },
  ): Promise<WaitResult> {
    const { signal } = options;
    const found = this.messages.find((message) => message.at >= options.after && predicate(message));
    if (found) return Promise.resolve({ kind: "received", message: found });
    if (this.closedReason !== undefined)
      return Promise.resolve({ kind: "closed", reason: this.closedReason });
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        predicate,
        after: options.after,
        settle: (result) => {
          done();
          resolve(result);
        },
        cancel: (reason) => {
          done();
          reject(reason);
        },
      };
      const onAbort = () => waiter.cancel(signal!.reason);
      const timer = setTimeout(() => waiter.settle({ kind: "timeout" }), options.timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Rejects every wait still pending with `reason`: for a caller that ends its waits itself instead of through a signal. */
  cancelWaits(reason: unknown): void {
    for (const waiter of this.waiters) waiter.cancel(reason);
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

/** An error event, or a payload carrying `error` or a `type` naming one: the likeliest "instead". */
export function looksLikeError(message: Inbound): boolean {
  if (message.event !== undefined && /error/i.test(message.event)) return true;
  const payload = message.payload;
  if (payload === null || typeof payload !== "object") return false;
  const record = payload as Record<string, unknown>;
  return "error" in record || (typeof record.type === "string" && /error/i.test(record.type));
}
