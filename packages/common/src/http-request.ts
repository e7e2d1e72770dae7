import {
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as plainRequest,
} from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Gives up (rejects with code `timeout`) when the whole answer has not come within this many ms. */
  timeoutMs?: number;
  /** Refuses (code `too-large`) a longer body. */
  maxBodyBytes?: number;
  /**
   * `false`: a connection of its own, closed with the answer (nothing pooled outlives the call);
   * an Agent: connections from it (a proxy tunnel, core/proxy-agent.ts).
   */
  agent?: false | Agent;
}

export interface HttpResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as received (binary answers: registry blobs). */
  body: Buffer;
}

/** Network-level failure; `code` is Node's (ECONNREFUSED, CERT_HAS_EXPIRED, …), `timeout` or `too-large`. */
export class HttpRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One HTTP(S) request with the whole answer read, over node:http as the Cloud Run clients use
 * (the global fetch's first call loads Node's bundled undici, ~20 ms of a command that reads a few
 * small JSON answers). Rejects on network errors (HttpRequestError, described for people), on
 * timeout, on a body over `maxBodyBytes`, and with the signal's reason on abort.
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = typeof url === "string" ? new URL(url) : url;
  const send =
    target.protocol === "https:" ? httpsRequest : target.protocol === "http:" ? plainRequest : undefined;
  if (!send) return Promise.reject(new Error(`Can't request ${target.protocol} URLs.`));
  const { signal, timeoutMs, maxBodyBytes } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const body = typeof options.body === "string" ? Buffer.from(options.body) : options.body;
    const request = send(target, {
      method: options.method ?? "GET",
      headers: { ...options.headers, ...(body ? { "content-length": String(body.byteLength) } : {}) },
      ...(options.agent !== undefined ? { agent: options.agent } : {}),
    });
    let settled = false;
    const finish = (error: unknown, answer?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // After a whole answer Node ends the socket itself: a pooled keep-alive one goes back to its
      // agent, one of its own (agent: false, no keep-alive) is ended and destroyed once its end is
      // written, whatever the server does. Anything else ends here.
      if (!answer) request.destroy();
      if (answer) resolve(answer);
      else reject(error);
    };
    const onAbort = () => finish(signal?.reason);
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => finish(new HttpRequestError("timeout", `no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
    signal?.addEventListener("abort", onAbort, { once: true });
    const failed = (error: NodeJS.ErrnoException) =>
      finish(new HttpRequestError(error.code ?? "network", describeNetworkError(error)));
    request.on("error", failed);
    request.on("response", (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (maxBodyBytes !== undefined && size > maxBodyBytes) {
          finish(new HttpRequestError("too-large", `the body is larger than ${maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", failed);
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const received = Buffer.concat(chunks);
        finish(undefined, {
          ok: status >= 200 && status < 300,
          status,
          statusText: response.statusMessage ?? "",
          headers: response.headers,
          text: received.toString("utf8"),
          body: received,
        });
      });
    });
    request.end(body);
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
