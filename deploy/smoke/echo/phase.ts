import { setMaxListeners } from "node:events";

/** Abort listeners one client may hold on a phase's signal at once: its connect or wait, and an HTTP probe. */
const LISTENERS_PER_CLIENT = 2;
/** Node's default limit: one more listener on a signal prints a MaxListenersExceededWarning. */
const DEFAULT_MAX_LISTENERS = 10;

/**
 * The reason a phase's signal carries once the phase has ended. Made once: abort() without a
 * reason builds a DOMException with its stack trace, on every phase of every run.
 */
const PHASE_OVER = new Error("the phase is over");

interface Phase {
  /** Aborts when the run's signal does, at the deadline, or at end(). */
  readonly signal: AbortSignal;
  /** Releases whatever still waits on the phase; call once the phase is over. */
  end(): void;
}

/**
 * One signal per phase, sized for its clients. Each client listens on it, and past 10 listeners
 * Node prints a MaxListenersExceededWarning on stderr, which breaks `--json`'s NDJSON; the caller's
 * signal gets one listener per phase, never one per client. The run's abort is forwarded by that
 * one listener rather than AbortSignal.any, which costs several times as much to set up.
 */
export function startPhase(
  run: AbortSignal,
  clients: number,
  deadline?: { ms: number; reason: () => Error },
): Phase {
  const own = new AbortController();
  if (clients * LISTENERS_PER_CLIENT > DEFAULT_MAX_LISTENERS)
    setMaxListeners(clients * LISTENERS_PER_CLIENT + DEFAULT_MAX_LISTENERS, own.signal);
  const forward = () => own.abort(run.reason);
  if (run.aborted) forward();
  else run.addEventListener("abort", forward, { once: true });
  const timer = deadline ? setTimeout(() => own.abort(deadline.reason()), deadline.ms) : undefined;
  return {
    signal: own.signal,
    end: () => {
      clearTimeout(timer);
      run.removeEventListener("abort", forward);
      own.abort(PHASE_OVER);
    },
  };
}
