import { isTlsError } from "@echogate/common/http-request";
import { io, type Socket } from "socket.io-client";
import { httpGet } from "../http-get.js";
import { type ConnectOptions, type EchoConnection, HandshakeError, MessageHub } from "./connection.js";

/** A connection through the official socket.io-client: no reconnection, its own Manager, given transports. */
export function connectSocketIo(options: ConnectOptions): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const socket = io(options.url, {
      path: options.path,
      transports: options.transports,
      reconnection: false,
      forceNew: true,
      multiplex: false,
      timeout: options.timeoutMs,
      // The gate reports what the server does; it must not switch transport behind the spec's back.
      tryAllTransports: false,
      rememberUpgrade: false,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.query ? { query: options.query } : {}),
      ...(options.origin || options.cookie || options.authorization || options.headers
        ? {
            extraHeaders: {
              ...options.headers,
              ...(options.origin ? { origin: options.origin } : {}),
              ...(options.cookie ? { cookie: options.cookie } : {}),
              ...(options.authorization ? { authorization: options.authorization } : {}),
            },
          }
        : {}),
    });
    const hub = new MessageHub();
    let settled = false;
    let closing = false;
    const engineClosed = new Promise<void>((done) => {
      socket.io.on("close", () => done());
    });
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.disconnect();
      reject(error);
    };
    const onAbort = () => fail(options.signal.reason);
    // socket.io-client's own `timeout` covers the whole connect; this guards a server that never answers at all.
    const timer = setTimeout(
      () => fail(new HandshakeError(`no Socket.IO handshake within ${options.timeoutMs} ms`)),
      options.timeoutMs + PROBE_MS + 50,
    );
    const cleanup = () => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
    };
    options.signal.addEventListener("abort", onAbort, { once: true });

    socket.on("connect_error", (error) => {
      const described = describeConnectError(error, options);
      if (described.status !== undefined || /refused|TLS error/.test(described.message)) {
        fail(described);
        return;
      }
      // A WebSocket upgrade on a path the server doesn't serve is often just never answered; ask over HTTP why.
      void probePath(options).then((status) =>
        fail(status === undefined ? described : wrongPath(status, options)),
      );
    });
    socket.onAny((event: string, ...args: unknown[]) => {
      hub.push({ event, payload: args[0], args, at: performance.now() });
    });
    socket.on("disconnect", (reason, description) => {
      if (closing) return;
      const extra = describeDisconnect(description);
      hub.closed(`disconnected: ${reason}${extra ? ` (${extra})` : ""}`);
    });
    socket.once("connect", () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({
        client: options.client,
        send: (event, args, sendOptions) => {
          if (!sendOptions?.ack) {
            socket.emit(event ?? "message", ...args);
            return;
          }
          socket.emit(event ?? "message", ...args, (...ackArgs: unknown[]) => {
            hub.push({
              event: undefined,
              payload: ackArgs[0],
              args: ackArgs,
              ack: true,
              at: performance.now(),
            });
          });
        },
        onMessage: (listener) => hub.onMessage(listener),
        onClosed: (listener) => hub.onClosed(listener),
        close: async () => {
          closing = true;
          socket.disconnect();
          await engineClosed;
        },
        drop: async () => {
          closing = true;
          const transport = (socket.io.engine as unknown as { transport?: { ws?: { terminate?(): void } } })
            ?.transport;
          // The websocket transport holds a `ws` WebSocket: terminate() destroys the TCP socket.
          if (transport?.ws?.terminate) transport.ws.terminate();
          else socket.io.engine?.close();
          await engineClosed;
        },
        barrier: (timeoutMs) => namespaceRoundTrip(socket, timeoutMs),
      });
    });
  });
}

let barriers = 0;

/** Socket.IO packet types (socket.io-parser's PacketType). */
const CONNECT = 0;
const DISCONNECT = 1;
const CONNECT_ERROR = 4;

/**
 * A CONNECT to a namespace the server doesn't have, on the same engine connection: the server reads
 * a connection's packets in order and answers this one (CONNECT_ERROR, or CONNECT for a catch-all
 * namespace, which it then leaves) only after it has run the handlers of everything sent before, up
 * to their first await. The packet goes out and its answer is read on the Manager itself: a
 * namespace Socket per round trip (its subscriptions, and the Error it builds from CONNECT_ERROR)
 * cost more than the round trip.
 */
function namespaceRoundTrip(socket: Socket, timeoutMs: number): Promise<boolean> {
  if (!socket.connected) return Promise.resolve(false);
  barriers += 1;
  const nsp = `/echogate-barrier-${barriers}`;
  const manager = socket.io;
  return new Promise((resolve) => {
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      manager.off("packet", onPacket);
      socket.off("disconnect", onGone);
      resolve(answered);
    };
    const onPacket = (packet: { type: number; nsp: string }) => {
      if (packet.nsp !== nsp) return;
      if (packet.type === CONNECT) manager._packet({ type: DISCONNECT, nsp });
      if (packet.type === CONNECT || packet.type === CONNECT_ERROR) finish(true);
    };
    const onGone = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once("disconnect", onGone);
    manager.on("packet", onPacket);
    manager._packet({ type: CONNECT, nsp });
  });
}

interface TransportErrorLike extends Error {
  description?: unknown;
  context?: unknown;
  data?: unknown;
  type?: string;
}

/** Turns socket.io-client's connect_error into what happened on the wire. */
function describeConnectError(error: TransportErrorLike, options: ConnectOptions): HandshakeError {
  const where = `${options.url}${options.path}`;
  const description = error.description as
    | number
    | { message?: string; error?: { message?: string; code?: string } }
    | undefined;
  let status: number | undefined;
  if (typeof description === "number" && description > 0) status = description;
  const text =
    typeof description === "object" && description
      ? (description.error?.message ?? description.message)
      : undefined;
  const fromText = text ? /Unexpected server response: (\d+)/.exec(text) : null;
  if (fromText) status = Number(fromText[1]);
  if (status !== undefined) {
    if (status === 404 || status === 400) return wrongPath(status, options);
    return new HandshakeError(
      `the server answered the Socket.IO handshake (${error.message}, ${where}) with HTTP ${status}`,
      status,
    );
  }
  const code = typeof description === "object" && description ? description.error?.code : undefined;
  if (code && isTlsError(code))
    return new HandshakeError(`Socket.IO handshake failed: TLS error ${code}: ${text}`);
  if (code === "ECONNREFUSED" || /ECONNREFUSED/.test(text ?? "")) {
    return new HandshakeError(`Socket.IO handshake failed: connection refused (${where})`);
  }
  if (error.message === "timeout") {
    return new HandshakeError(`no Socket.IO handshake within ${options.timeoutMs} ms (${where})`);
  }
  if (error.type !== "TransportError") {
    return new HandshakeError(
      `the server refused the Socket.IO connection: ${error.message} (connect_error from the server)`,
    );
  }
  return new HandshakeError(
    `Socket.IO handshake failed: ${error.message}${text ? ` (${text})` : ""} (${where})`,
  );
}

function describeDisconnect(description: unknown): string | undefined {
  if (!description || typeof description !== "object") return undefined;
  const record = description as { description?: unknown; message?: unknown };
  if (typeof record.message === "string") return record.message;
  if (typeof record.description === "number") return `code ${record.description}`;
  return undefined;
}

const PROBE_MS = 500;

function wrongPath(status: number, options: ConnectOptions): HandshakeError {
  return new HandshakeError(
    `the server answered the Socket.IO handshake at ${options.url}${options.path} with HTTP ${status} — is echo.path (${options.path}) the server's Socket.IO path?`,
    status,
  );
}

/** Status of an Engine.IO polling handshake on the path when it is an HTTP error; undefined otherwise. */
async function probePath(options: ConnectOptions): Promise<number | undefined> {
  try {
    const answer = await httpGet(
      `${options.url}${options.path}?EIO=4&transport=polling`,
      PROBE_MS,
      options.signal,
      options.cookie,
      options.authorization,
    );
    return answer.status >= 400 ? answer.status : undefined;
  } catch {
    return undefined;
  }
}
