import { request as plainRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Gives up (rejects) when no answer came within this many ms. */
  timeoutMs?: number;
}

export interface HttpResponse {
  ok: boolean;
  status: number;
  statusText: string;
  text: string;
}

/**
 * One HTTP(S) request with the whole answer read: node:http, as the Cloud Run clients use, rather
 * than the global fetch, whose first call loads Node's bundled undici (~20 ms of every command
 * that only reads a few small JSON answers). Rejects on network errors and on abort.
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = typeof url === "string" ? new URL(url) : url;
  const send =
    target.protocol === "https:" ? httpsRequest : target.protocol === "http:" ? plainRequest : undefined;
  if (!send) return Promise.reject(new Error(`Can't request ${target.protocol} URLs.`));
  return new Promise((resolve, reject) => {
    const body = typeof options.body === "string" ? Buffer.from(options.body) : options.body;
    const req = send(
      target,
      {
        method: options.method ?? "GET",
        headers: { ...options.headers, ...(body ? { "content-length": String(body.byteLength) } : {}) },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: res.statusMessage ?? "",
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    if (options.timeoutMs !== undefined)
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      );
    req.on("error", (error) => reject(options.signal?.aborted ? (options.signal.reason ?? error) : error));
    req.end(body);
  });
}
