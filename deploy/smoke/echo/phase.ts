import { getEventListeners, setMaxListeners } from "node:events";

/** Abort listeners one client may hold on a phase's signal at once: its connect or wait, and an HTTP probe. */
const LISTENERS_PER_CLIENT = 2;

/**
 * The reason a phase's signal aborts with at end(): it only releases waits nobody needs any more
 * (a wait's rejection after its phase is never reported). One instance, because an abort without
 * a reason builds a DOMException with its stack each time, a measurable share of a 5 ms gate run.
 */
const PHASE_OVER = new Error("the phase is over");

interface Phase {
  /** Aborts when the run's signal (if any) does, at the deadline, or at end(). */
  readonly signal: AbortSignal;
  /** Releases whatever still waits on the phase; call once the phase is over. */
  end(): void;
}

/**
 * One signal per echo phase, sized for its clients. Each client listens on it, and past 10
 * listeners Node prints a MaxListenersExceededWarning on stderr, which breaks `--json`'s NDJSON;
 * the caller's signal gets one listener per phase (removed at end()), none per client. A plain
 * forward rather than AbortSignal.any, which costs tens of µs per phase.
 */
export function startPhase(
  run: AbortSignal | undefined,
  clients: number,
  deadline?: { ms: number; reason: () => Error },
): Phase {
  const own = new AbortController();
  setMaxListeners(clients * LISTENERS_PER_CLIENT + 10, own.signal);
  const forward = () => own.abort(run?.reason);
  if (run?.aborted) forward();
  else run?.addEventListener("abort", forward, { once: true });
  const timer = deadline ? setTimeout(() => own.abort(deadline.reason()), deadline.ms) : undefined;
  return {
    signal: own.signal,
    end: () => {
      clearTimeout(timer);
      run?.removeEventListener("abort", forward);
      // Aborting only tells listeners; with none left (every wait settled) it would only cost.
      if (getEventListeners(own.signal, "abort").length > 0) own.abort(PHASE_OVER);
    },
  };
}
