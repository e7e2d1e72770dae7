import { type HttpResponse, httpRequest } from "@echogate/common/http-request";
import type { EchoSpec } from "../config/smoke-spec.js";
import {
  type CorsClient,
  type CorsProblems,
  corsRemedy,
  preflightHeaderNames,
  preflightProblems,
  requestProblems,
} from "./cors-verdict.js";
import { ranCheck, type SmokeCheck } from "./result.js";
import type { ServiceUrl } from "./service-url.js";
import { roundMs } from "./timing.js";

/** Engine.IO's close packet: the probe's POST ends the session it opened. */
const CLOSE_PACKET = "1";

/**
 * Whether a page on `origin` may read the server's answers, as a browser judges it. Node's clients
 * ignore CORS, so without this a server whose polling answers leave the site's origin out passes
 * the gate while every browser on the site fails. Applies to Socket.IO over HTTP long-polling: the
 * gate makes the requests a browser's client makes (the preflight when its extraHeaders need one,
 * the handshake GET, a POST) and judges each answer's CORS headers. A WebSocket handshake has no
 * CORS: the server's own Origin check is what refuses it, and the echo connects through it.
 * Undefined when it does not apply.
 */
export async function checkCors(
  service: ServiceUrl,
  echo: Pick<EchoSpec, "protocol" | "path" | "transports" | "withCredentials" | "extraHeaders">,
  origin: string | undefined,
  options: { authorization?: string | undefined; signal: AbortSignal },
): Promise<SmokeCheck | undefined> {
  if (!origin || echo.protocol !== "socket.io" || !echo.transports.includes("polling")) return undefined;
  const started = performance.now();
  const client: CorsClient = {
    origin,
    credentials: echo.withCredentials,
    unsafeHeaders: preflightHeaderNames(echo.extraHeaders),
  };
  const handshakeUrl = `${service.origin}${echo.path}?EIO=4&transport=polling`;
  const check = (ok: boolean, detail: string) =>
    ranCheck("cors", ok, roundMs(performance.now() - started), detail);
  const refuse = (request: string, problems: CorsProblems) =>
    check(
      false,
      `a browser on ${origin} can't use the server's polling transport: ${request}: ${problems.join("; ")}; ${corsRemedy(client)}`,
    );
  // The gate's own identity token (a private service) is no header of the page's.
  const send = (method: string, url: string, headers: Record<string, string>, body?: string) =>
    httpRequest(url, {
      method,
      headers: {
        origin,
        ...headers,
        ...(options.authorization ? { authorization: options.authorization } : {}),
      },
      ...(body === undefined ? {} : { body }),
      signal: options.signal,
      timeoutMs: 5_000,
      maxBodyBytes: 64 * 1024,
      agent: false,
    });
  const preflight = (method: string, url: string) =>
    send("OPTIONS", url, {
      "access-control-request-method": method,
      "access-control-request-headers": client.unsafeHeaders.join(","),
    });
  let step = "";
  try {
    if (client.unsafeHeaders.length > 0) {
      step = `the preflight (OPTIONS) before the handshake GET, for ${client.unsafeHeaders.join(", ")}`;
      const answer = await preflight("GET", handshakeUrl);
      const problems = preflightProblems(client, answer.status, answer.headers);
      if (problems.length > 0) return refuse(`${step} (${handshakeUrl})`, problems);
    }
    step = "the handshake GET";
    const handshake = await send("GET", handshakeUrl, { accept: "*/*", ...echo.extraHeaders });
    const handshakeProblems = requestProblems(client, handshake.headers);
    if (handshake.status !== 200)
      return check(
        false,
        `the polling handshake from ${origin} answered HTTP ${handshake.status} (${handshakeUrl})${handshakeProblems.length > 0 ? `, with ${handshakeProblems.join("; ")}` : ""}`,
      );
    if (handshakeProblems.length > 0) return refuse(`${step} (${handshakeUrl})`, handshakeProblems);
    const sid = sessionIdOf(handshake);
    if (!sid)
      return check(false, `${handshakeUrl} answered 200 but not with an Engine.IO handshake (no sid)`);
    const postUrl = `${handshakeUrl}&sid=${encodeURIComponent(sid)}`;
    const affinity = sessionCookie(handshake);
    if (client.unsafeHeaders.length > 0) {
      step = "the preflight (OPTIONS) before a POST";
      const answer = await preflight("POST", postUrl);
      const problems = preflightProblems(client, answer.status, answer.headers);
      if (problems.length > 0) return refuse(step, problems);
    }
    step = "a POST (what the client sends)";
    // Only the CORS headers are judged: the echo proves the POST path itself works.
    const post = await send(
      "POST",
      postUrl,
      {
        accept: "*/*",
        ...echo.extraHeaders,
        "content-type": "text/plain;charset=UTF-8",
        ...(affinity ? { cookie: affinity } : {}),
      },
      CLOSE_PACKET,
    );
    const postProblems = requestProblems(client, post.headers);
    if (postProblems.length > 0) return refuse(step, postProblems);
    const allowed = handshake.headers["access-control-allow-origin"];
    return check(
      true,
      `polling GET and POST allow ${origin} (Access-Control-Allow-Origin: ${allowed}${client.credentials ? ", with credentials" : ""}${client.unsafeHeaders.length > 0 ? `; preflight allows ${client.unsafeHeaders.join(", ")}` : ""})`,
    );
  } catch (error) {
    options.signal.throwIfAborted();
    return check(
      false,
      `${step || "the polling handshake"} (${handshakeUrl}) failed: ${(error as Error).message}`,
    );
  }
}

function sessionIdOf(response: HttpResponse): string | undefined {
  // Engine.IO v4 polling payload: "0" (open packet) then the handshake JSON.
  const open = response.text.startsWith("0") ? response.text.slice(1).split("\x1e")[0]! : "";
  try {
    const sid = (JSON.parse(open) as { sid?: unknown }).sid;
    return typeof sid === "string" ? sid : undefined;
  } catch {
    return undefined;
  }
}

/** A load balancer's affinity cookie from the handshake, so the POST reaches the instance holding the session. */
function sessionCookie(response: HttpResponse): string | undefined {
  const cookies = response.headers["set-cookie"] ?? [];
  const pairs = cookies.map((cookie) => cookie.split(";")[0]!.trim()).filter(Boolean);
  return pairs.length > 0 ? pairs.join("; ") : undefined;
}
