import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { type AgentOptions, Agent as HttpsAgent, type RequestOptions } from "node:https";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";

/**
 * The proxy an HTTPS request to `target` goes through: HTTPS_PROXY (or https_proxy) unless
 * NO_PROXY (or no_proxy) names the host, as curl and most tools read them. Plain-HTTP targets
 * (the local emulators) never go through a proxy. Undefined when there is none.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | undefined {
  if (target.protocol !== "https:") return undefined;
  const configured = env.HTTPS_PROXY || env.https_proxy;
  if (!configured || bypassesProxy(target, env.NO_PROXY ?? env.no_proxy ?? "")) return undefined;
  try {
    return new URL(configured.includes("://") ? configured : `http://${configured}`);
  } catch {
    return undefined;
  }
}

/** NO_PROXY: `*`, or host names matching exactly or as a domain suffix (`.example.com`, `example.com`), optionally with `:port`. */
function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = target.port || "443";
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const match = entry.toLowerCase().match(/^(.*?)(?::(\d+))?$/);
      const name = (match?.[1] ?? "").replace(/^\*?\./, "").replace(/^\[|\]$/g, "");
      if (match?.[2] && match[2] !== port) return false;
      return name !== "" && (host === name || host.endsWith(`.${name}`));
    });
}

/**
 * An HTTPS agent whose connections are tunnels through an HTTP proxy (CONNECT host:port), TLS
 * to the target inside the tunnel. Proxy credentials in the URL go in Proxy-Authorization; they
 * never appear in an error message.
 */
export class ProxyTunnelAgent extends HttpsAgent {
  constructor(
    private readonly proxy: URL,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  // Node's agent waits for the callback when this returns nothing (the tunnel is asynchronous).
  override createConnection(
    options: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): undefined {
    const done = callback ?? (() => undefined);
    const host = String(options.host ?? "localhost");
    const port = Number(options.port ?? 443);
    const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (this.proxy.username)
      headers["proxy-authorization"] =
        `Basic ${Buffer.from(`${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`).toString("base64")}`;
    const where = `${this.proxy.protocol}//${this.proxy.host}`;
    const connect = httpRequest({
      host: this.proxy.hostname.replace(/^\[|\]$/g, ""),
      port: Number(this.proxy.port || 80),
      method: "CONNECT",
      path: authority,
      headers,
      agent: new HttpAgent({ keepAlive: false }),
    });
    connect.once("connect", (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        done(
          new Error(`the proxy ${where} refused CONNECT ${authority} (HTTP ${response.statusCode})`),
          socket,
        );
        return;
      }
      const secure = tlsConnect({
        ...(options as Record<string, unknown>),
        socket,
        servername: String(options.servername ?? host),
      });
      done(null, secure);
    });
    connect.once("error", (error) =>
      done(new Error(`the proxy ${where} is unreachable: ${error.message}`), connect.socket as Duplex),
    );
    connect.end();
    return undefined;
  }
}
