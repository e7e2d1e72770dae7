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
