import type { EchoSpec } from "../config/smoke-spec.js";
import { httpRequest } from "../core/http-request.js";
import { ranCheck, type SmokeCheck } from "./result.js";
import type { ServiceUrl } from "./service-url.js";
import { roundMs } from "./timing.js";

/**
 * Whether a page on `origin` may read the server's answers, as a browser judges it. Node's clients
 * ignore CORS, so without this a server whose polling answers leave the site's origin out passes
 * the gate while every browser on the site fails. Applies to Socket.IO over HTTP long-polling (the
 * WebSocket handshake has no CORS: the server's own Origin check, which the echo connects through,
 * is what refuses it). Undefined when it does not apply.
 */
export async function checkCors(
  service: ServiceUrl,
  echo: Pick<EchoSpec, "protocol" | "path" | "transports">,
  origin: string | undefined,
  options: { authorization?: string | undefined; signal: AbortSignal },
): Promise<SmokeCheck | undefined> {
  if (!origin || echo.protocol !== "socket.io" || !echo.transports.includes("polling")) return undefined;
  const started = performance.now();
  const url = `${service.origin}${echo.path}?EIO=4&transport=polling`;
  const check = (ok: boolean, detail: string) =>
    ranCheck("cors", ok, roundMs(performance.now() - started), detail);
  try {
    const response = await httpRequest(url, {
      headers: { origin, ...(options.authorization ? { authorization: options.authorization } : {}) },
      signal: options.signal,
      timeoutMs: 5_000,
      maxBodyBytes: 64 * 1024,
      agent: false,
    });
    return check(...corsVerdict(origin, response.status, response.headers["access-control-allow-origin"]));
  } catch (error) {
    options.signal.throwIfAborted();
    return check(false, `the polling handshake ${url} failed: ${(error as Error).message}`);
  }
}

/** Pure: what a browser makes of a polling answer for a page on `origin`. */
export function corsVerdict(
  origin: string,
  status: number,
  allowOrigin: string | string[] | undefined,
): [ok: boolean, detail: string] {
  if (status !== 200) return [false, `the polling handshake from ${origin} answered HTTP ${status}`];
  const allowed = Array.isArray(allowOrigin) ? allowOrigin.join(", ") : allowOrigin;
  if (allowed === origin || allowed === "*")
    return [true, `polling answers allow ${origin} (Access-Control-Allow-Origin: ${allowed})`];
  return [
    false,
    `a browser on ${origin} can't read the server's polling answers: ${allowed ? `Access-Control-Allow-Origin is ${allowed}` : "they carry no Access-Control-Allow-Origin"}; add ${origin} to the server's CORS origins (e.g. ALLOWED_ORIGINS)`,
  ];
}
