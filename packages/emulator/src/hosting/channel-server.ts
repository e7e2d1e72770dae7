import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { gunzipSync } from "node:zlib";
import { DEFAULT_RUN_REGION, type RunTarget, type ServingConfig } from "@echogate/common/serving-config";
import { refuseForeignHost } from "../loopback-host.js";
import { headersFor, i18nCandidates, redirectFor, rewriteFor, staticFor } from "./serving-rules.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

interface ChannelContent {
  /** The current release's files (path → hash) and serving config, or undefined when nothing is released. */
  release(): { files: Record<string, string>; config: ServingConfig } | undefined;
  blob(hash: string): Promise<Buffer>;
  /** The URL of an emulated Cloud Run service, for `run` (and function) rewrites. */
  serviceUrl(target: RunTarget): Promise<string | undefined>;
}

export interface ChannelListener {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves one channel's current release on its own loopback port, like `<site>--<channel>.web.app`,
 * as its serving config says (serving-rules.ts); tries `preferredPort` first (the channel's port
 * before a restart).
 */
export async function listenChannel(
  content: ChannelContent,
  preferredPort?: number,
): Promise<ChannelListener> {
  const server: Server = createServer((req, res) => {
    if (refuseForeignHost(server, req, res)) return;
    serve(content, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const listenOn = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await (preferredPort ? listenOn(preferredPort).catch(() => listenOn(0)) : listenOn(0));
  const { port: actual } = server.address() as AddressInfo;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const FIREBASE_RUN_TIMEOUT_MS = 60_000;

async function serve(content: ChannelContent, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const released = content.release();
  if (!released) {
    res
      .writeHead(404, { "content-type": "text/plain" })
      .end("Site Not Found: nothing released on this channel yet.\n");
    return;
  }
  const { files, config } = released;
  const url = new URL(req.url ?? "/", "http://x");
  let path: string;
  try {
    path = decodeURIComponent(url.pathname).replace(/\/{2,}/g, "/");
  } catch {
    res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request: malformed URL encoding.\n");
    return;
  }
  if (path.startsWith("/__/")) {
    // Hosting's reserved namespace (/__/auth, /__/firebase/init.js) comes before any config.
    res.writeHead(404, { "content-type": "text/plain" }).end("Reserved Hosting URL: not emulated.\n");
    return;
  }
  const headers = headersFor(config, path);
  const redirect = redirectFor(config, path, url.search.slice(1));
  if (redirect) {
    res.writeHead(redirect.status, { ...headers, location: redirect.location }).end();
    return;
  }
  const readable = req.method === "GET" || req.method === "HEAD";
  // A path's localized copy (i18n) answers for it wherever the path would be served.
  const stored = (file: string): string | undefined =>
    [...i18nCandidates(config, file, req.headers), file].find((candidate) => files[candidate] !== undefined);
  const has = (file: string) => stored(file) !== undefined;
  const found = readable ? staticFor(config, has, path, url.search) : undefined;
  if (found && "redirect" in found) {
    res.writeHead(301, { ...headers, location: found.redirect }).end();
    return;
  }
  if (found) return sendFile(content, req, res, files, found.file, stored(found.file)!, 200, headers);
  const rewrite = rewriteFor(config, path);
  if (rewrite && ("run" in rewrite || "function" in rewrite)) {
    const target =
      "run" in rewrite
        ? { serviceId: rewrite.run.serviceId, region: rewrite.run.region ?? DEFAULT_RUN_REGION }
        : { serviceId: rewrite.function.toLowerCase(), region: rewrite.functionRegion ?? DEFAULT_RUN_REGION };
    const serviceUrl = await content.serviceUrl(target);
    if (!serviceUrl) {
      res
        .writeHead(502, { ...headers, "content-type": "text/plain" })
        .end(`Cloud Run service ${target.serviceId} (${target.region}) is not running on the emulator.\n`);
      return;
    }
    return proxyTo(serviceUrl, req, res, headers);
  }
  if (!readable) {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  if (rewrite && "path" in rewrite && has(rewrite.path))
    return sendFile(content, req, res, files, rewrite.path, stored(rewrite.path)!, 200, headers);
  if (rewrite && "dynamicLinks" in rewrite) {
    res
      .writeHead(501, { ...headers, "content-type": "text/plain" })
      .end("Dynamic Links rewrites are not emulated.\n");
    return;
  }
  if (has("/404.html"))
    return sendFile(content, req, res, files, "/404.html", stored("/404.html")!, 404, headers);
  res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("Not Found\n");
}

async function sendFile(
  content: ChannelContent,
  req: IncomingMessage,
  res: ServerResponse,
  files: Record<string, string>,
  file: string,
  /** The stored path answering for `file` (itself, or its localized copy). */
  from: string,
  status: number,
  configured: Record<string, string>,
): Promise<void> {
  const body = gunzipSync(await content.blob(files[from]!));
  res.writeHead(status, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": body.length,
    // Runtime config must never be cached across releases.
    "cache-control": file === "/echogate.json" ? "no-cache" : "max-age=60",
    ...configured,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * Forwards a request to the service as Hosting's CDN does: every method, the original path and
 * query, X-Forwarded-Host; cookies other than `__session` are stripped (Hosting's cache rule).
 */
function proxyTo(
  serviceUrl: string,
  req: IncomingMessage,
  res: ServerResponse,
  configured: Record<string, string>,
): Promise<void> {
  const target = new URL(serviceUrl);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  const session = sessionCookie(req.headers.cookie);
  if (session) headers.cookie = session;
  else delete headers.cookie;
  headers.host = target.host;
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-for"] = req.socket.remoteAddress ?? "127.0.0.1";
  return new Promise((resolve) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        timeout: FIREBASE_RUN_TIMEOUT_MS,
      },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, { ...out, ...configured });
        answer.pipe(res);
        answer.on("end", resolve);
        answer.on("error", () => {
          res.destroy();
          resolve();
        });
      },
    );
    const fail = (status: number, text: string) => {
      if (!res.headersSent) res.writeHead(status, { "content-type": "text/plain" }).end(text);
      else res.destroy();
      resolve();
    };
    upstream.on("timeout", () => {
      upstream.destroy();
      fail(504, "Gateway Timeout: the service did not answer in 60 s.\n");
    });
    upstream.on("error", () => fail(502, "Bad Gateway: the service did not answer.\n"));
    req.pipe(upstream);
  });
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

function sessionCookie(cookie: string | undefined): string | undefined {
  return cookie
    ?.split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith("__session="));
}
