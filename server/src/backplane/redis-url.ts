/** REDIS_URL fit to print: scheme, host, port and database, never user or password. */
export function describeRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(unparseable REDIS_URL)";
  }
}
