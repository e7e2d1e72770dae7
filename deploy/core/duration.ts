const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `7d`, `12h`, `30m`, `90s` (CLI) → seconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!]!;
}

/**
 * The one way a duration is printed, from milliseconds: `0.42 ms`, `87 ms`, `4.2s`, `42s`, `5m`,
 * `3h 12m`, `2d 4h`. Fractions only below ten of a unit (whole values print whole); zero and
 * negative print `0s`.
 */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  // An age of nothing yet (just deployed) reads as an age, not as a measurement.
  if (t === 0) return "0s";
  if (t < 9.995) return Number.isInteger(t) ? `${t} ms` : `${t.toFixed(2)} ms`;
  if (t < 999.5) return `${Math.round(t)} ms`;
  if (t < 9_950) return `${Number((t / 1000).toFixed(1))}s`;
  const seconds = Math.round(t / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}
