/** Who receives an emit, as Socket.IO delivers it. */
type EmitTarget =
  /** `socket.emit`: the connecting client only. */
  | "sender"
  /** `io.to(room).emit`, `io.in(room).emit`, `io.emit`: everyone in the room, the sender too. */
  | "everyone"
  /** `socket.broadcast.emit`, `socket.to(room).emit`: everyone but the sender. */
  | "others";

export interface Emit {
  event: string;
  target: EmitTarget;
  /** The emit's first payload argument, as written (`{ ...message, ts: Date.now() }`). */
  payload: string;
  /** Offset in the handler body, to order emits around a `socket.join(`. */
  at: number;
}

export interface SocketHandler {
  file: string;
  line: number;
  event: string;
  /** The handler's parameter list as written (`{ roomId, peerId }`, `data, callback`). */
  params: string[];
  body: string;
  /** Offset of `socket.join(` in the body, or -1. */
  joinsAt: number;
  emits: Emit[];
  /** The handler calls its last parameter (an acknowledgement callback). */
  acknowledges: boolean;
}

const HANDLER_START =
  /\b([A-Za-z_$][\w$]*)\s*\.\s*on\(\s*(['"`])([^'"`$]+)\2\s*,\s*(?:async\s+)?(?:function\s*[\w$]*\s*\(([^)]*)\)|\(([^)]*)\)\s*=>|([A-Za-z_$][\w$]*)\s*=>)\s*\{/g;

/** Receivers that are not a client socket: the server, the process, a stream. */
const NOT_A_SOCKET =
  /^(io|server|httpServer|app|process|wss|nsp|namespace|redis|sub|subscriber|pub|client\w+)$/;

/** Socket.IO and Node events that are not application messages. */
export const BUILTIN_EVENTS = new Set([
  "connection",
  "connect",
  "disconnect",
  "disconnecting",
  "error",
  "connect_error",
  "close",
  "listening",
  "request",
  "upgrade",
  "message",
  "open",
  "ping",
  "pong",
  "headers",
  "data",
  "end",
  "SIGTERM",
  "SIGINT",
  "exit",
  "uncaughtException",
  "unhandledRejection",
]);

/** Offset just past the `}` closing the block whose `{` is at `open`; strings, templates and comments skipped. */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i);
    else if (c === "/" && text[i + 1] === "*")
      i = text.indexOf("*/", i + 2) < 0 ? text.length : text.indexOf("*/", i + 2) + 1;
    else if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  return text.length;
}

/** The text of the argument starting at `start`, up to the `,` or `)` that ends it at depth 0. */
function argumentAt(text: string, start: number): string {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      if (depth === 0) return text.slice(start, i).trim();
      depth--;
    } else if (c === "," && depth === 0) return text.slice(start, i).trim();
  }
  return text.slice(start).trim();
}

function splitParams(list: string): string[] {
  const params: string[] = [];
  let rest = list.trim();
  while (rest) {
    const param = argumentAt(rest, 0);
    params.push(param);
    rest = rest.slice(param.length).replace(/^\s*,\s*/, "");
    if (!param) break;
  }
  return params.filter(Boolean);
}

function emitsIn(body: string, socket: string): Emit[] {
  const emits: Emit[] = [];
  const pattern =
    /([A-Za-z_$][\w$.]*?)((?:\s*\.\s*(?:broadcast|to\([^)]*\)|in\([^)]*\)|except\([^)]*\)))*)\s*\.\s*emit\(\s*(['"`])([^'"`$]+)\3\s*(,?)/g;
  for (const match of body.matchAll(pattern)) {
    const receiver = match[1]!.replace(/^this\./, "");
    const chain = match[2] ?? "";
    const isSocket = receiver === socket;
    const target: EmitTarget = isSocket ? (chain.trim() === "" ? "sender" : "others") : "everyone";
    const payload = match[5] ? argumentAt(body, match.index + match[0].length) : "";
    emits.push({ event: match[4]!, target, payload, at: match.index });
  }
  return emits;
}

/**
 * Pure: every `socket.on("event", handler)` in the given server files, with what its handler does;
 * with `lifecycle`, `disconnect` and the other built-in events too (their emits reach clients).
 */
export function socketHandlers(
  code: ReadonlyArray<{ file: string; text: string }>,
  options: { lifecycle?: boolean } = {},
): SocketHandler[] {
  const handlers: SocketHandler[] = [];
  for (const { file, text } of code) {
    for (const match of text.matchAll(HANDLER_START)) {
      const [, receiver, , event] = match;
      if (NOT_A_SOCKET.test(receiver!) || (BUILTIN_EVENTS.has(event!) && !options.lifecycle)) continue;
      const open = match.index + match[0].length - 1;
      const body = text.slice(open + 1, closingBrace(text, open) - 1);
      const params = splitParams(match[4] ?? match[5] ?? match[6] ?? "");
      const last = params.length > 1 ? params[params.length - 1]! : "";
      handlers.push({
        file,
        line: text.slice(0, match.index).split("\n").length,
        event: event!,
        params,
        body,
        joinsAt: body.search(/\.\s*join\(/),
        emits: emitsIn(body, receiver!),
        acknowledges: /^[A-Za-z_$][\w$]*$/.test(last) && new RegExp(`\\b${last}\\s*\\(`).test(body),
      });
    }
  }
  return handlers;
}
