import type { OutputEvent } from "../core/output-events.js";
import type { SmokeProgress } from "./result.js";

/** The NDJSON event for a smoke's progress; `echogate smoke` and the promotion gate write the same ones. */
export function smokeProgressEvent(progress: SmokeProgress): OutputEvent {
  switch (progress.type) {
    case "check.start":
      return { event: "smoke.check.start", check: progress.check };
    case "check.done": {
      const { name, ok, status, ms, detail } = progress.check;
      return { event: "smoke.check.done", check: name, ok, status, ms, detail };
    }
    case "health.retry":
      return {
        event: "smoke.health.retry",
        attempt: progress.attempt,
        error: progress.error,
        delayMs: progress.delayMs,
      };
  }
}

/** The phase a live progress line shows for a smoke's progress. */
export function smokePhase(progress: SmokeProgress): string {
  switch (progress.type) {
    case "check.start":
      return progress.check;
    case "check.done":
      return `${progress.check.name} ${progress.check.status}`;
    case "health.retry":
      return `health: retry ${progress.attempt + 1} in ${progress.delayMs} ms (${progress.error})`;
  }
}
