// The server URL is read at runtime from /echogate.json (written per environment at deploy
// time), so this exact build can move from staging to production unchanged.

const $ = (id) => document.getElementById(id);
const status = (text, isError = false) => {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
};

function show(text, kind) {
  const item = document.createElement("li");
  item.textContent = text;
  if (kind) item.className = kind;
  $("messages").append(item);
  item.scrollIntoView({ block: "nearest" });
}

async function loadConfig() {
  const response = await fetch("/echogate.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/echogate.json answered HTTP ${response.status}`);
  const config = await response.json();
  if (typeof config.serverUrl !== "string") throw new Error("/echogate.json has no serverUrl");
  return config;
}

function connect(config, roomId, peerId) {
  const socket = new WebSocket(config.serverUrl);
  socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "join", roomId, peerId })));
  socket.addEventListener("close", () => status("Disconnected. Join again to reconnect.", true));
  socket.addEventListener("error", () => status(`Can't reach ${config.serverUrl}`, true));
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "joined") {
      status(`In room ${message.roomId} as ${message.peerId}`);
      for (const old of message.history ?? [])
        show(`${old.from}: ${old.content}`, old.from === peerId ? "own" : "");
      $("send").hidden = false;
      $("content").focus();
    } else if (message.type === "chat-message") {
      // The server echoes our own messages back (io.to semantics): that echo is the delivery proof.
      const own = message.message.from === peerId;
      show(`${own ? "you" : message.message.from}: ${message.message.content}`, own ? "own" : "");
    } else if (message.type === "peer-joined") {
      show(`${message.peerId} joined`, "system");
    } else if (message.type === "peer-left") {
      show(`${message.peerId} left`, "system");
    } else if (message.type === "error") {
      status(message.message, true);
    }
  });
  return socket;
}

async function main() {
  $("peer").value = `guest-${Math.random().toString(36).slice(2, 6)}`;
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    status(`Can't load the runtime config: ${error.message}`, true);
    return;
  }
  status("Ready: pick a room and join.");
  $("env").textContent = `${config.environment} · ${config.serverUrl}`;
  let socket;
  $("join").addEventListener("submit", (event) => {
    event.preventDefault();
    socket?.close();
    $("messages").replaceChildren();
    socket = connect(config, $("room").value.trim(), $("peer").value.trim());
  });
  $("send").addEventListener("submit", (event) => {
    event.preventDefault();
    const content = $("content").value;
    if (!content || socket?.readyState !== WebSocket.OPEN) return;
    const id = crypto.randomUUID();
    socket.send(
      JSON.stringify({ type: "chat-message", roomId: $("room").value.trim(), message: { id, content } }),
    );
    $("content").value = "";
  });
}

main();
