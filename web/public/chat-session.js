// One chat room over the reference server's ws-json protocol (server/PROTOCOL.md), kept alive
// across cuts: when the connection drops (Cloud Run's request timeout, a deploy draining an
// instance, a network blip) it reconnects with exponential backoff, rejoins the room under the
// same peer id with its peer token, and asks for the history it missed (`since` = last seq seen).
// Plain ES module with no dependencies: the page uses the browser's WebSocket, tests pass `ws`.

const BACKOFF = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter. */
export function backoffDelay(attempt, options = BACKOFF, random = Math.random) {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
  return Math.round(base * (1 - options.jitter + 2 * options.jitter * random()));
}

/**
 * @param {object} options
 * @param {string} options.url WebSocket URL of the server
 * @param {string} options.roomId
 * @param {string} options.peerId
 * @param {typeof WebSocket} [options.WebSocket] defaults to the global WebSocket
 * @param {(event: object) => void} options.onEvent receives
 *   {type:"status", state:"connecting"|"joined"|"reconnecting"|"stopped", detail?},
 *   {type:"message", message}, {type:"peer-joined"|"peer-left", peerId}, {type:"error", code, message}
 * @param {Partial<typeof BACKOFF>} [options.backoff]
 */
export function createChatSession(options) {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const backoff = { ...BACKOFF, ...options.backoff };
  const emit = options.onEvent;
  let socket;
  let token;
  let lastSeq = 0;
  let attempt = 0;
  let stopped = false;
  let joined = false;
  let timer;

  function deliver(message) {
    // A message can arrive twice around a reconnect (history and live): seq tells.
    if (typeof message.seq === "number") {
      if (message.seq <= lastSeq) return;
      lastSeq = message.seq;
    }
    emit({ type: "message", message });
  }

  function onMessage(raw) {
    let msg;
    try {
      msg = JSON.parse(typeof raw === "string" ? raw : String(raw));
    } catch {
      return;
    }
    if (msg.roomId !== undefined && msg.roomId !== options.roomId) return;
    if (msg.type === "joined") {
      joined = true;
      attempt = 0;
      token = msg.token;
      for (const old of msg.history ?? []) deliver(old);
      emit({ type: "status", state: "joined", detail: { peers: msg.peers, instance: msg.instance } });
    } else if (msg.type === "chat-message") deliver(msg.message);
    else if (msg.type === "peer-joined" || msg.type === "peer-left")
      emit({ type: msg.type, peerId: msg.peerId });
    else if (msg.type === "error") {
      emit({ type: "error", code: msg.code, message: msg.message });
      // Someone else holds this peer id (and our token no longer proves it): retrying won't help.
      if (msg.code === "peer-id-taken" || msg.code === "replaced") stop(msg.code);
      // The join itself failed for now (backplane trouble): reconnect with backoff and try again.
      else if (msg.code === "unavailable" && !joined) socket.close(4000, "retry join");
    }
  }

  function connect() {
    if (stopped) return;
    joined = false;
    emit({ type: "status", state: attempt === 0 ? "connecting" : "reconnecting", detail: { attempt } });
    const ws = new Socket(options.url);
    socket = ws;
    // Events of a socket already given up on (e.g. its late `replaced` error) are not ours any more.
    const current = (handler) => (event) => ws === socket && handler(event);
    ws.addEventListener(
      "open",
      current(() => {
        const join = { type: "join", roomId: options.roomId, peerId: options.peerId };
        if (token) join.token = token;
        if (lastSeq > 0) join.since = lastSeq;
        ws.send(JSON.stringify(join));
      }),
    );
    ws.addEventListener(
      "message",
      current((event) => onMessage(event.data)),
    );
    ws.addEventListener(
      "close",
      current((event) => {
        if (stopped) return;
        const delay = backoffDelay(attempt, backoff);
        attempt++;
        emit({ type: "status", state: "reconnecting", detail: { code: event.code, inMs: delay } });
        timer = setTimeout(connect, delay);
      }),
    );
    // Errors are followed by close, which schedules the reconnect.
    ws.addEventListener("error", () => undefined);
  }

  function stop(reason = "closed") {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    socket?.close(1000, "bye");
    emit({ type: "status", state: "stopped", detail: { reason } });
  }

  connect();
  return {
    /** Sends a chat message; false when not currently joined (the caller may retry later). */
    send(content, id = globalThis.crypto.randomUUID()) {
      if (!joined || socket.readyState !== 1) return false;
      socket.send(JSON.stringify({ type: "chat-message", roomId: options.roomId, message: { id, content } }));
      return true;
    },
    close: () => stop(),
    get lastSeq() {
      return lastSeq;
    },
  };
}
