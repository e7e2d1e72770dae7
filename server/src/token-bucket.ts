/**
 * Pure token bucket: `ratePerS` tokens per second, at most `burst` banked. `take` spends one
 * token at time `nowMs` and says whether there was one.
 */
export class TokenBucket {
  #tokens: number;
  #lastMs: number;

  constructor(
    readonly ratePerS: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.#tokens = burst;
    this.#lastMs = nowMs;
  }

  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds from `nowMs` until `count` tokens (at most `burst`) are banked. */
  msUntil(count: number, nowMs: number): number {
    this.#refill(nowMs);
    const missing = Math.min(count, this.burst) - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.ratePerS);
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = nowMs;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.ratePerS) / 1000);
  }
}
