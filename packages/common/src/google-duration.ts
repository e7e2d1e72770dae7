/** Google's JSON Duration (`"604800s"`, `"1.5s"`) → seconds. */
export function parseGoogleDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

export function toGoogleDuration(seconds: number): string {
  return `${Math.round(seconds)}s`;
}
