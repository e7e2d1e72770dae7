import type { ClientRequest, IncomingMessage } from "node:http";
import { describeNetworkError } from "@echogate/common/http-request";
import { WebSocket } from "ws";
import { type ConnectOptions, type EchoConnection, HandshakeError, MessageHub } from "./connection.js";

const CLOSE_GRACE_MS = 1000;

/** A plain WebSocket client speaking one JSON object per text frame. */
export function connectWsJson(options: ConnectOptions): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const ws = new WebSocket(withQuery(options.url, options.query), {
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.cookie || options.authorization || options.headers
        ? {
            headers: {
              ...options.headers,
              ...(options.cookie ? { cookie: options.cookie } : {}),
              ...(options.authorization ? { authorization: options.authorization } : {}),
            },
          }
        : {}),
    });
    const hub = new MessageHub();
    let settled = false;
    let closing = false;
    const gone = new Promise<void>((done) => ws.once("close", () => done()));
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      ws.terminate();
      reject(error);
    };
    const onAbort = () => fail(options.signal.reason);
    const timer = setTimeout(
      () => fail(new HandshakeError(`no WebSocket handshake within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
    };
    options.signal.addEventListener("abort", onAbort, { once: true });

    ws.on("unexpected-response", (request: ClientRequest, response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      response.resume();
      request.destroy();
      const wrongPath =
        status === 404
          ? ` at ${options.url} — is echo.path (${options.path}) the server's WebSocket path?`
          : "";
      fail(
        new HandshakeError(
          `the server answered the WebSocket upgrade with HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ""}${wrongPath}`,
          status,
        ),
      );
    });
    ws.on("error", (error: NodeJS.ErrnoException) => {
      if (!settled) {
        const why = /handshake has timed out/i.test(error.message)
          ? `no WebSocket handshake within ${options.timeoutMs} ms`
          : describeNetworkError(error);
        fail(new HandshakeError(`WebSocket handshake failed: ${why}`));
      }
      // After the handshake an error is always followed by "close", which reports it.
    });
    ws.on("message", (data, isBinary) => {
      const at = performance.now();
      if (isBinary) {
        const payload = `<binary frame, ${byteLength(data)} bytes>`;
        hub.push({ event: undefined, payload, args: [payload], at });
        return;
      }
      const text = data.toString();
      let payload: unknown = text;
      try {
        payload = JSON.parse(text);
      } catch {
        // Kept as text: a non-JSON frame never matches an object, but shows up in the report.
      }
      hub.push({ event: undefined, payload, args: [payload], at });
    });
    ws.on("close", (code: number, reason: Buffer) => {
      if (!closing)
        hub.closed(`closed by the server (code ${code}${reason.length ? ` ${reason.toString()}` : ""})`);
    });
    ws.once("open", () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({
        client: options.client,
        send: (_event, args) => ws.send(JSON.stringify(args[0])),
        onMessage: (listener) => hub.onMessage(listener),
        onClosed: (listener) => hub.onClosed(listener),
        close: async () => {
          closing = true;
          if (ws.readyState === WebSocket.OPEN) {
            // A clean close (code 1000); a server that never answers it is cut off after a moment.
            ws.close(1000);
            const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
            await gone;
            clearTimeout(cut);
          } else if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
          await gone;
        },
        drop: async () => {
          closing = true;
          if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
          await gone;
        },
        barrier: (timeoutMs) => pingRoundTrip(ws, timeoutMs),
      });
    });
  });
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** A ping: the server reads frames in order and answers it after the messages sent before it. */
function pingRoundTrip(ws: WebSocket, timeoutMs: number): Promise<boolean> {
  if (ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      ws.off("pong", onPong);
      ws.off("close", onClose);
      resolve(answered);
    };
    const onPong = () => finish(true);
    const onClose = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    ws.on("pong", onPong);
    ws.once("close", onClose);
    ws.ping();
  });
}

function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) parsed.searchParams.set(key, value);
  return parsed.toString();
}
