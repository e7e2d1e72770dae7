/** DATABASE_URL fit to print: scheme, host, port and database, never user or password. */
export function describeDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
