/**
 * Every `event` name `--json` writes to stderr (NDJSON). Message events are one word; the others
 * are `<phase>.<what>`, a unit of work announced by `.start` and closed by `.done` (`step.fail` for
 * a step that failed). docs/reference.md ("JSON events") lists the same names; a test compares them.
 */
export const EVENT_NAMES = [
  "notice",
  "warning",
  "step.start",
  "step.update",
  "step.done",
  "step.fail",
  "promotion.plan",
  "smoke.check.start",
  "smoke.check.done",
  "smoke.health.retry",
  "upload.progress",
  "preview.cleanup.done",
] as const;

type EventName = (typeof EVENT_NAMES)[number];

/** One NDJSON line: its name, then whatever the phase reports (`at` is added when written). */
export type OutputEvent = { event: EventName } & Record<string, unknown>;
