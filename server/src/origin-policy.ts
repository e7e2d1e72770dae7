/** An absent Origin (server-to-server, CLI, health checks) is always allowed. */
export function isOriginAllowed(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowedOrigins.includes("*")) return true;
  return allowedOrigins.includes(origin.replace(/\/+$/, ""));
}
