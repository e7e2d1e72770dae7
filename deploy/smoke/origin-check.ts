import type { EchoSpec } from "../config/smoke-spec.js";
import { connectors } from "./echo/echo-check.js";
import { ranCheck, type SmokeCheck } from "./result.js";
import { type ServiceUrl, webSocketUrl } from "./service-url.js";
import { roundMs } from "./timing.js";

/** The check's name: the pair gate's failure messages and tests read it. */
export const ORIGIN_CHECK = "server allows the site's origin";

/**
 * Why the clients were refused (HTTP `status`) when they connected as a page on `origin`: the same
 * handshake without an Origin header (as a CLI connects) tells whether the server's origin check
 * (ws `verifyClient`, Socket.IO `allowRequest`, ALLOWED_ORIGINS) is what refuses the site.
 * Undefined when the server refuses both: the connect check already says why.
 */
export async function diagnoseOriginRefusal(
  service: ServiceUrl,
  echo: Pick<EchoSpec, "protocol" | "path" | "transports" | "timeoutMs" | "extraHeaders">,
  origin: string,
  status: number,
  options: { authorization?: string | undefined; signal: AbortSignal },
): Promise<SmokeCheck | undefined> {
  const started = performance.now();
  try {
    const connection = await connectors[echo.protocol]({
      url: echo.protocol === "ws-json" ? webSocketUrl(service, echo.path) : service.origin,
      path: echo.path,
      transports: echo.transports,
      client: "origin-probe",
      timeoutMs: echo.timeoutMs,
      signal: options.signal,
      ...(Object.keys(echo.extraHeaders).length > 0 ? { headers: echo.extraHeaders } : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
    });
    await connection.close();
  } catch {
    options.signal.throwIfAborted();
    return undefined;
  }
  const what =
    echo.protocol === "ws-json" || echo.transports.join() === "websocket"
      ? "WebSocket upgrades"
      : "Socket.IO connections";
  return ranCheck(
    ORIGIN_CHECK,
    false,
    roundMs(performance.now() - started),
    `the server refuses ${what} from ${origin} (HTTP ${status}) but accepts them without an Origin header: every browser on the site is refused; add ${origin} to the origins the server allows (e.g. ALLOWED_ORIGINS; ws: verifyClient; Socket.IO: allowRequest or cors.origin)`,
  );
}
