import type http from "node:http";
import { ApiError } from "./api-error.js";
import { refuseUnboundQuery } from "./query-params.js";

// How the emulators answer REST like Google's front end: a table of routes per API, a request's
// JSON body read the same way, and every failure as Google's JSON error body.

export interface RestRequest {
  method: string;
  /** Decoded, after the API's `normalizePath`. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The JSON body (`{}` when empty); `{}` too for a route that reads `raw` itself. */
  body: Record<string, unknown>;
  raw: Buffer;
}

export interface RestRoute {
  method: string;
  /** The method's name (`versions.create`): what per-method checks and counters key on. */
  id: string;
  pattern: RegExp;
  /** The body is not JSON (an upload): the handler reads `raw`. */
  rawBody?: boolean;
  /** The response body (always 200), or an ApiError thrown. `groups`: the pattern's captures. */
  handle(request: RestRequest, groups: string[]): unknown;
}

export interface RestApi {
  routes: readonly RestRoute[];
  /** The error for a request no route takes (see `referenceRoutes`). */
  unrouted(method: string, path: string): ApiError;
  /** The query parameters each method binds, by route id: any other is a 400 (unlisted: unchecked). */
  boundQuery?: Readonly<Record<string, readonly string[]>>;
  /** Rewrites a path before routing (two names for one resource). */
  normalizePath?(path: string): string;
  /** Checks a routed request before its handler runs (parent, query parameters, body fields). */
  check?(route: RestRoute, request: RestRequest, groups: string[]): void | Promise<void>;
  /** Runs after a handler succeeded, before the answer is sent (persisting a write). */
  settled?(route: RestRoute, request: RestRequest): void | Promise<void>;
}

/** A route of a table: the method, its name, the path it answers, and what it answers. */
export function route(
  method: string,
  id: string,
  pattern: RegExp,
  handle: RestRoute["handle"],
  options: { rawBody?: boolean } = {},
): RestRoute {
  return { method, id, pattern, handle, ...options };
}

/** Serves `api`: routes a request, and answers its result or its error as JSON. */
export function restHandler(
  api: RestApi,
): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async (req, res) => {
    let status = 200;
    let payload: unknown;
    try {
      payload = await answer(api, req);
    } catch (error) {
      const failure =
        error instanceof ApiError
          ? error
          : new ApiError("INTERNAL", `Internal error: ${(error as Error).message}`);
      status = failure.httpCode;
      payload = failure.toBody();
    }
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(payload));
  };
}

async function answer(api: RestApi, req: http.IncomingMessage): Promise<unknown> {
  const url = new URL(req.url ?? "/", "http://emulator");
  const raw = await readBody(req);
  const method = req.method ?? "GET";
  const decoded = decodeURIComponent(url.pathname);
  const path = api.normalizePath ? api.normalizePath(decoded) : decoded;
  for (const route of api.routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const groups = match.slice(1);
    const request: RestRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      body: route.rawBody ? {} : parseJsonBody(raw),
      raw,
    };
    await api.check?.(route, request, groups);
    const bound = api.boundQuery?.[route.id];
    if (bound) refuseUnboundQuery(bound, request.query);
    const result = await route.handle(request, groups);
    await api.settled?.(route, request);
    return result;
  }
  throw api.unrouted(method, path);
}

/** A JSON body as Google's REST front ends read it: empty is `{}`, malformed is a 400. */
function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new ApiError("INVALID_ARGUMENT", "Invalid JSON payload received.");
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The answer for a request no route took, from the API's reference (every HTTP rule of its
 * protos or discovery document): 501 UNIMPLEMENTED for one of its methods, else 404 NOT_FOUND.
 */
export function referenceRoutes(
  api: string,
  reference: readonly (readonly [method: string, name: string, pattern: RegExp])[],
): (method: string, path: string) => ApiError {
  return (method, path) => {
    const known = reference.find(([m, , pattern]) => m === method && pattern.test(path));
    if (known)
      return new ApiError(
        "UNIMPLEMENTED",
        `Method ${known[1]} (${method} ${path}) is part of the ${api} but the local emulator does not implement it (see docs/emulator.md).`,
      );
    return new ApiError("NOT_FOUND", `The requested URL ${path} was not found on this server.`);
  };
}
