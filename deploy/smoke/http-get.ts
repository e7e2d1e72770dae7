import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

const MAX_BODY_BYTES = 1024 * 1024;

interface HttpAnswer {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
  /** `name=value` of each Set-Cookie (attributes dropped): what a client sends back. */
  cookies: string[];
}

/** Network-level failure; `code` is Node's (ECONNREFUSED, CERT_HAS_EXPIRED, …) or `timeout`. */
export class HttpGetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One GET without connection reuse: a pooled keep-alive socket would outlive
 * the gate (an open handle) and could reach an instance a retry should avoid.
 */
export function httpGet(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  cookie?: string,
  authorization?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const request = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, {
      method: "GET",
      agent: false,
      headers: {
        accept: "application/json",
        "cache-control": "no-cache",
        connection: "close",
        "user-agent": "echogate-smoke",
        ...(cookie ? { cookie } : {}),
        ...(authorization ? { authorization } : {}),
      },
    });
    let settled = false;
    const finish = (error: unknown, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      request.destroy();
      if (answer) resolve(answer);
      else reject(error);
    };
    const onAbort = () => finish(signal.reason);
    const timer = setTimeout(
      () => finish(new HttpGetError("timeout", `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish(new HttpGetError(error.code ?? "network", describeNetworkError(error))),
    );
    request.on("response", (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          finish(new HttpGetError("too-large", `the body is larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", (error: NodeJS.ErrnoException) =>
        finish(new HttpGetError(error.code ?? "network", describeNetworkError(error))),
      );
      response.on("end", () =>
        finish(undefined, {
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? "",
          contentType: String(response.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
          cookies: (response.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!.trim()),
        }),
      );
    });
    request.end();
  });
}

export function isTlsError(code: string): boolean {
  return /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY)_)/.test(code);
}

export function describeNetworkError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? "";
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET") return "connection reset by the server";
  if (code === "ENOTFOUND") return `host not found (${error.message.replace(/^getaddrinfo ENOTFOUND /, "")})`;
  if (isTlsError(code)) return `TLS error ${code}: ${error.message}`;
  return code ? `${code}: ${error.message}` : error.message;
}
