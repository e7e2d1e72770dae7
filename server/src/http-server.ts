import type { IncomingMessage, ServerResponse } from "node:http";
import type { HealthBody } from "./health.js";
import { isOriginAllowed } from "./origin-policy.js";

export interface HttpDeps {
  allowedOrigins: readonly string[];
  health(): Promise<{ statusCode: number; body: HealthBody }>;
  /** The REST API (rest-api.ts): true when it took the request. */
  api(req: IncomingMessage, url: URL, reply: (statusCode: number, body: unknown) => void): boolean;
}

function json(res: ServerResponse, statusCode: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(headOnly ? undefined : text);
}

/** Routes plain HTTP: /health (GET, HEAD), /api/…, CORS preflight, JSON 404 for the rest. */
export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const origin = req.headers.origin;
    if (!isOriginAllowed(origin, deps.allowedOrigins)) {
      json(res, 403, { error: "origin-not-allowed", origin });
      return;
    }
    if (origin !== undefined) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
      });
      res.end();
      return;
    }
    if (path === "/health") {
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("Allow", "GET, HEAD");
        json(res, 405, { error: "method-not-allowed", method: req.method });
        return;
      }
      const headOnly = req.method === "HEAD";
      void deps.health().then(({ statusCode, body }) => json(res, statusCode, body, headOnly));
      return;
    }
    if (deps.api(req, url, (statusCode, body) => json(res, statusCode, body, req.method === "HEAD"))) return;
    json(res, 404, { error: "not-found", path }, req.method === "HEAD");
  };
}
