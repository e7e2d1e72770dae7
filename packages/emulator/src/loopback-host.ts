import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

/** The names a local client may use for a server listening on 127.0.0.1. */
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * True when a request's Host header names this loopback server: 127.0.0.1, localhost or [::1]
 * with its port. A web page that rebinds its own DNS name to 127.0.0.1 still sends its own name
 * as Host, so checking it keeps browsers' pages away from local emulators (DNS rebinding).
 */
function isOwnLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (!match || !LOOPBACK_NAMES.has(match[1]!)) return false;
  return match[2] === undefined ? port === 80 : Number(match[2]) === port;
}

function portOf(server: Server): number {
  const address = server.address() as AddressInfo | null;
  return address?.port ?? -1;
}

const REFUSAL =
  "Forbidden: the Host header does not name this local server (127.0.0.1 or localhost with its port).";

/** Answers 403 and returns true when `req` is not addressed to this loopback server. */
export function refuseForeignHost(server: Server, req: IncomingMessage, res: ServerResponse): boolean {
  if (isOwnLoopbackHost(req.headers.host, portOf(server))) return false;
  const body = JSON.stringify({ error: { code: 403, status: "PERMISSION_DENIED", message: REFUSAL } });
  res.writeHead(403, { "content-type": "application/json", connection: "close" }).end(body);
  return true;
}

/** The same for a WebSocket upgrade: the socket gets a 403 response and is closed. */
export function refuseForeignUpgrade(server: Server, req: IncomingMessage, socket: Duplex): boolean {
  if (isOwnLoopbackHost(req.headers.host, portOf(server))) return false;
  socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${REFUSAL}\n`);
  return true;
}
