import type { ClientRequest, IncomingMessage } from "node:http";
import { WebSocket } from "ws";
import { describeNetworkError } from "../../core/http-request.js";
import { type ConnectOptions, type EchoConnection, HandshakeError, MessageHub } from "./connection.js";

/** A plain WebSocket client speaking one JSON object per text frame. */
export function connectWsJson(options: ConnectOptions): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const ws = new WebSocket(options.url, {
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.cookie || options.authorization
        ? {
            headers: {
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
          if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
          await gone;
        },
      });
    });
  });
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
