import http from "node:http";
import type net from "node:net";
import { createProxyServer } from "http-proxy-3";
import { type Listening, listen } from "./listen.js";
import { BALANCERS_PATH } from "./locations.js";
import { refuseForeignHost, refuseForeignUpgrade } from "./loopback-host.js";
import type { RandomSource } from "./revision-naming.js";

interface Balancer {
  backends: string[];
  listening: Listening;
}

/**
 * One loopback URL in front of several regions' service URLs, as a global load balancer puts one
 * address in front of regional Cloud Run services: each new connection goes to one region.
 */
export class Balancers {
  private readonly balancers = new Map<string, Balancer>();
  // changeOrigin: the backend (a service URL on its own loopback port) answers only its own Host;
  // the original one travels in X-Forwarded-Host.
  private readonly proxy = createProxyServer({ xfwd: true, changeOrigin: true });

  constructor(private readonly random: RandomSource) {
    this.proxy.on("error", (_error, _req, res) => {
      if (res instanceof http.ServerResponse) {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end("Bad Gateway: the region did not answer.\n");
      } else {
        (res as net.Socket).destroy();
      }
    });
  }

  /** Creates the balancer or points it at new backends; its URL stays the same. */
  async ensure(name: string, backends: string[]): Promise<string> {
    const existing = this.balancers.get(name);
    if (existing) {
      existing.backends = backends;
      return `http://127.0.0.1:${existing.listening.port}`;
    }
    // Nobody has the URL before this returns, so the handlers may go on after it listens.
    const server = http.createServer();
    const balancer: Balancer = { backends, listening: await listen(server) };
    // Backends are read per request: `ensure` repoints a running balancer.
    const pick = () => balancer.backends[Math.floor(this.random() * balancer.backends.length)];
    server.on("request", (req, res) => {
      if (refuseForeignHost(server, req, res)) return;
      const target = pick();
      if (!target) {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("Service Unavailable: no region behind this URL.\n");
        return;
      }
      this.proxy.web(req, res, { target });
    });
    server.on("upgrade", (req, socket: net.Socket, head) => {
      if (refuseForeignUpgrade(server, req, socket)) return;
      const target = pick();
      if (!target) return socket.destroy();
      this.proxy.ws(req, socket, head, { target });
    });
    this.balancers.set(name, balancer);
    return `http://127.0.0.1:${balancer.listening.port}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.balancers.values()].map((balancer) => balancer.listening.close()));
    this.balancers.clear();
    this.proxy.close();
  }
}

/** PUT /echogate/v1/balancers/<name> {"backends": ["http://…", …]} → {"uri": "http://127.0.0.1:…"}. */
export async function serveBalancer(
  balancers: Balancers,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const name = decodeURIComponent((req.url ?? "").slice(BALANCERS_PATH.length));
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let backends: unknown;
  try {
    backends = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { backends?: unknown }).backends;
  } catch {
    backends = undefined;
  }
  const valid =
    req.method === "PUT" &&
    /^[a-z0-9-]{1,63}$/.test(name) &&
    Array.isArray(backends) &&
    backends.every((b) => typeof b === "string" && /^http:\/\/127\.0\.0\.1:\d+$/.test(b));
  if (!valid) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "PUT a name [a-z0-9-] and backends: loopback http URLs" }));
    return;
  }
  const uri = await balancers.ensure(name, backends as string[]);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ uri }));
}
