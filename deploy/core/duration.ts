const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `7d`, `12h`, `30m`, `90s` (CLI) → seconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Google's JSON Duration (`"604800s"`, `"1.5s"`) → seconds. */
export function parseGoogleDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

export function toGoogleDuration(seconds: number): string {
  return `${Math.round(seconds)}s`;
}

/** `3d 4h`, `5m`, `12s`: for tables. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}
