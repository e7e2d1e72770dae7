import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { type ErrorCode, encode, type ServerMessage } from "./protocol.js";
import { TokenBucket } from "./token-bucket.js";

/** PROTOCOL.md: a connection whose send buffer overflows is closed with this code. */
export const SLOW_CONSUMER_CLOSE = 4008;
const SLOW_CONSUMER_GRACE_MS = 1_000;
const RATE_NOTICE_INTERVAL_MS = 1_000;
const MIN_THROTTLE_MS = 20;
const THROTTLE_REFILL_TOKENS = 10;

export type ConnectionLimits = Pick<ServerConfig, "maxBufferedBytes" | "rateLimitPerS" | "rateLimitBurst">;

export function errorMessage(code: ErrorCode, message: string): ServerMessage {
  return { type: "error", code, message };
}

/**
 * One client WebSocket and what the server holds for it, with its limits: sends stop (and the
 * connection closes with 4008) once its unsent data passes `maxBufferedBytes`, and frames over
 * its token bucket are refused with reading paused.
 */
export class Connection {
  readonly id = randomBytes(9).toString("base64url");
  /** roomId -> the peerId this connection holds there. */
  readonly rooms = new Map<string, string>();
  /** The user this connection registered as (direct messages), while it holds it. */
  user: string | undefined;
  /** Its frames, handled one after another (they may wait on the backplane). */
  queue: Promise<void> = Promise.resolve();
  closed = false;
  alive = true;
  readonly #bucket: TokenBucket;
  #lastRateNoticeMs = 0;

  constructor(
    readonly ws: WebSocket,
    readonly limits: ConnectionLimits,
    readonly log: Logger,
  ) {
    this.#bucket = new TokenBucket(limits.rateLimitPerS, limits.rateLimitBurst, Date.now());
  }

  /** True when the text was handed to an open socket (false: closing, closed, or a slow consumer). */
  sendText(text: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.#closeSlowConsumer();
      return false;
    }
    this.ws.send(text);
    return true;
  }

  send(message: ServerMessage): boolean {
    return this.sendText(encode(message));
  }

  /** Spends a token for an incoming frame; false (the frame must be dropped) when over the rate. */
  admit(nowMs: number): boolean {
    if (this.#bucket.take(nowMs)) return true;
    this.#throttle(nowMs);
    return false;
  }

  #closeSlowConsumer(): void {
    this.log.log("WARNING", "closing a slow consumer: its send buffer is full", {
      bufferedBytes: this.ws.bufferedAmount,
      limit: this.limits.maxBufferedBytes,
    });
    this.ws.close(SLOW_CONSUMER_CLOSE, "slow consumer: send buffer full");
    // A reader that stopped reading won't read the close frame either: free its buffers soon.
    setTimeout(() => this.ws.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
  }

  /**
   * Over the rate: say so (once a second at most) and stop reading the socket until a few tokens
   * are back, so a flood waits in the client's TCP buffers instead of costing this process CPU.
   */
  #throttle(nowMs: number): void {
    if (nowMs - this.#lastRateNoticeMs >= RATE_NOTICE_INTERVAL_MS) {
      this.#lastRateNoticeMs = nowMs;
      this.send(
        errorMessage(
          "rate-limited",
          `Too many messages: at most ${this.limits.rateLimitPerS} per second (bursts of ${this.limits.rateLimitBurst}); messages over the limit are dropped.`,
        ),
      );
    }
    if (this.ws.isPaused) return;
    this.ws.pause();
    const waitMs = Math.max(MIN_THROTTLE_MS, this.#bucket.msUntil(THROTTLE_REFILL_TOKENS, nowMs));
    setTimeout(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.resume();
    }, waitMs).unref();
  }
}
