// The server URL is read at runtime from /echogate.json (written per environment at deploy
// time), so this exact build can move from staging to production unchanged.
import { createChatSession } from "./chat-session.js";

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

function join(config, roomId, peerId) {
  return createChatSession({
    url: config.serverUrl,
    roomId,
    peerId,
    onEvent(event) {
      if (event.type === "status") {
        if (event.state === "joined") {
          status(`In room ${roomId} as ${peerId}`);
          $("send").hidden = false;
          $("content").focus();
        } else if (event.state === "reconnecting" && event.detail?.inMs !== undefined) {
          status(`Connection lost; reconnecting in ${Math.ceil(event.detail.inMs / 1000)} s…`, true);
        } else if (event.state === "stopped" && event.detail?.reason !== "closed") {
          status("Disconnected. Join again to reconnect.", true);
        }
      } else if (event.type === "message") {
        // The server echoes our own messages back (io.to semantics): that echo is the delivery proof.
        const own = event.message.from === peerId;
        show(`${own ? "you" : event.message.from}: ${event.message.content}`, own ? "own" : "");
      } else if (event.type === "peer-joined") show(`${event.peerId} joined`, "system");
      else if (event.type === "peer-left") show(`${event.peerId} left`, "system");
      else if (event.type === "error") status(event.message, true);
    },
  });
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
  let session;
  $("join").addEventListener("submit", (event) => {
    event.preventDefault();
    session?.close();
    $("messages").replaceChildren();
    session = join(config, $("room").value.trim(), $("peer").value.trim());
  });
  $("send").addEventListener("submit", (event) => {
    event.preventDefault();
    const content = $("content").value;
    if (!content || !session?.send(content)) return;
    $("content").value = "";
  });
}

main();
