import { setMaxListeners } from "node:events";

/** Abort listeners one client may hold on a phase's signal at once: its connect or wait, and an HTTP probe. */
const LISTENERS_PER_CLIENT = 2;

interface Phase {
  /** Aborts when the run's signal does, at the deadline, or at end(). */
  readonly signal: AbortSignal;
  /** Releases whatever still waits on the phase; call once the phase is over. */
  end(): void;
}

/**
 * One signal per echo phase, sized for its clients. Each client listens on it, and past 10
 * listeners Node prints a MaxListenersExceededWarning on stderr, which breaks `--json`'s NDJSON;
 * the caller's signal gets no listener per client at all.
 */
export function startPhase(
  run: AbortSignal,
  clients: number,
  deadline?: { ms: number; reason: () => Error },
): Phase {
  const own = new AbortController();
  const signal = AbortSignal.any([run, own.signal]);
  setMaxListeners(clients * LISTENERS_PER_CLIENT + 10, signal);
  const timer = deadline ? setTimeout(() => own.abort(deadline.reason()), deadline.ms) : undefined;
  return {
    signal,
    end: () => {
      clearTimeout(timer);
      own.abort();
    },
  };
}
