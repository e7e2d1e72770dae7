/** Resolves after `ms`, or rejects with the signal's reason; leaves no timer behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

const defaultBackoff: BackoffOptions = { initialMs: 100, maxMs: 2_000 };

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with
 * "equal jitter" (half fixed, half random) so many gates don't retry in step.
 */
export function backoffDelay(attempt: number, options = defaultBackoff, random = Math.random): number {
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
