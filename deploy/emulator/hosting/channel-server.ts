import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { gunzipSync } from "node:zlib";
import { refuseForeignHost } from "../../core/loopback-host.js";

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
  /** Path → hash of the current release, or undefined when nothing is released. */
  files(): Record<string, string> | undefined;
  blob(hash: string): Promise<Buffer>;
}

export interface ChannelListener {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves one channel's current release on its own loopback port, like `<site>--<channel>.web.app`. */
/** Serves a channel on loopback; tries `preferredPort` first (the channel's port before a restart). */
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

async function serve(content: ChannelContent, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const files = content.files();
  if (!files) {
    res
      .writeHead(404, { "content-type": "text/plain" })
      .end("Site Not Found: nothing released on this channel yet.\n");
    return;
  }
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  const candidates = path.endsWith("/")
    ? [`${path}index.html`]
    : [path, `${path}.html`, `${path}/index.html`];
  const found = candidates.find((candidate) => files[candidate] !== undefined);
  if (!found) {
    res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
    return;
  }
  const body = gunzipSync(await content.blob(files[found]!));
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(found)] ?? "application/octet-stream",
    "content-length": body.length,
    // Runtime config must never be cached across releases.
    "cache-control": found === "/echogate.json" ? "no-cache" : "max-age=60",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
