import type { Emit, SocketHandler } from "./socket-handlers.js";

type Json = string | { [key: string]: Json };

/** A Socket.IO echo step drafted from the server's handlers: what the smoke gate should send and wait for. */
export interface SocketIoDraft {
  join?: {
    event: string;
    payload: Json;
    waitFor: { event: string } | { ack: true } | undefined;
    where: string;
  };
  send?: { event: string; payload: Json; where: string };
  expect?: { event: string; match: Json | undefined; target: Emit["target"] };
  /** Every part found and every payload derived from the handlers' own parameters. */
  confident: boolean;
}

const ROOM = /room|channel|chat[_-]?id|conversation/i;
const CLIENT = /peer|user|name|client|sender|from|nick|author/i;
const TEXT = /message|text|content|msg|body/i;
const NONCE = "{{nonce}}";

const SEND_TEXT = `echogate smoke ${NONCE}`;

/** Splits `a, { b }, ...c` at its top-level commas. */
function topLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(list.slice(start).trim());
  return parts.filter(Boolean);
}

/** `{ roomId, peerId = "x", user: name }` → the keys the client must send. */
function destructuredKeys(param: string): string[] | undefined {
  const match = /^\{([\s\S]*)\}(\s*=.*)?$/.exec(param.trim());
  if (!match) return undefined;
  return topLevel(match[1]!)
    .filter((part) => !part.startsWith("..."))
    .map((part) => part.split(/[:=]/)[0]!.trim());
}

/** Keys the handler reads off a plain parameter (`data.roomId`). */
function keysRead(param: string, body: string): string[] {
  const name = param.replace(/[:=].*$/, "").trim();
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return [];
  return [
    ...new Set(
      [...body.matchAll(new RegExp(`\\b${name}\\s*\\.\\s*([A-Za-z_$][\\w$]*)`, "g"))].map((m) => m[1]!),
    ),
  ];
}

function valueFor(key: string, role: "join" | "send", body: string): Json {
  if (ROOM.test(key)) return "{{room}}";
  if (role === "send" && /^id$/i.test(key)) return NONCE;
  if (role === "send" && TEXT.test(key)) {
    // A message object the server spreads or reads fields of (`...message`, `message.id`) carries its own id.
    return new RegExp(`\\.\\.\\.\\s*(?:[\\w$]+\\.)?${key}\\b|\\b${key}\\s*\\.\\s*id\\b`).test(body)
      ? { id: NONCE, content: SEND_TEXT }
      : SEND_TEXT;
  }
  if (CLIENT.test(key)) return "{{client}}";
  return role === "send" ? NONCE : "{{client}}";
}

/** The payload a handler expects, and the variables in its body that carry each part. */
function payloadFor(
  handler: SocketHandler,
  role: "join" | "send",
): { payload: Json; vars: Map<string, Json>; derived: boolean } {
  const vars = new Map<string, Json>();
  const first = handler.params[0];
  if (first === undefined) return { payload: role === "join" ? "{{room}}" : SEND_TEXT, vars, derived: false };
  const keys = destructuredKeys(first);
  if (keys) {
    const payload: Record<string, Json> = {};
    for (const key of keys) {
      payload[key] = valueFor(key, role, handler.body);
      vars.set(key, payload[key]);
    }
    return { payload, vars, derived: keys.length > 0 };
  }
  const name = first.replace(/[:=].*$/, "").trim();
  const read = keysRead(first, handler.body);
  // Handed whole to a helper (`roomOf(payload)`): part of its shape is in code init doesn't follow.
  const handed = [
    ...handler.body.matchAll(new RegExp(`(?<![.\\w$])([A-Za-z_$][\\w$]*)\\s*\\(\\s*${name}\\s*[,)]`, "g")),
  ].some(
    (call) => !/^(String|Number|Boolean|Array|Object|JSON|console|typeof|if|return|await)$/.test(call[1]!),
  );
  if (read.length > 0) {
    const payload: Record<string, Json> = {};
    if (handed && !read.some((key) => ROOM.test(key))) payload.roomId = "{{room}}";
    for (const key of read) payload[key] = valueFor(key, role, handler.body);
    vars.set(name, payload);
    return { payload, vars, derived: !handed };
  }
  if (handed) {
    const payload: Json =
      role === "join"
        ? { roomId: "{{room}}", peerId: "{{client}}" }
        : { roomId: "{{room}}", message: { id: NONCE, content: SEND_TEXT } };
    vars.set(name, payload);
    return { payload, vars, derived: false };
  }
  const scalar: Json = ROOM.test(name) ? "{{room}}" : role === "send" ? SEND_TEXT : "{{client}}";
  vars.set(name, scalar);
  return { payload: scalar, vars, derived: true };
}

function carriesNonce(value: Json | undefined): boolean {
  return typeof value === "string"
    ? value.includes(NONCE)
    : value !== undefined && Object.values(value).some(carriesNonce);
}

/** Only the parts of a value that carry the nonce, for a match that can't hit another run's message. */
function nonceParts(value: Json): Json | undefined {
  if (typeof value === "string") return value.includes(NONCE) ? value : undefined;
  const kept = Object.entries(value).flatMap(([key, inner]) => {
    const part = nonceParts(inner);
    return part === undefined ? [] : [[key, part] as const];
  });
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** What a client receives, given the emit's payload expression and what the variables held. */
function expectedMatch(payload: string, vars: ReadonlyMap<string, Json>): Json | undefined {
  const text = payload.trim();
  if (/^[A-Za-z_$][\w$]*$/.test(text)) {
    const value = vars.get(text);
    return value === undefined ? undefined : typeof value === "string" ? undefined : nonceParts(value);
  }
  const object = /^\{([\s\S]*)\}$/.exec(text);
  if (!object) return undefined;
  const match: Record<string, Json> = {};
  for (const part of topLevel(object[1]!)) {
    const spread = /^\.\.\.\s*([A-Za-z_$][\w$]*)(?:\.([A-Za-z_$][\w$]*))?$/.exec(part);
    if (spread) {
      const whole = vars.get(spread[1]!);
      const value =
        spread[2] === undefined ? whole : typeof whole === "object" ? whole[spread[2]] : undefined;
      if (value !== undefined && typeof value !== "string") Object.assign(match, nonceParts(value) ?? {});
      continue;
    }
    const [key, expression] = part.includes(":")
      ? [part.slice(0, part.indexOf(":")).trim(), part.slice(part.indexOf(":") + 1).trim()]
      : [part, part];
    const value = vars.get(expression);
    if (value !== undefined && carriesNonce(value))
      match[key.replace(/^['"]|['"]$/g, "")] = nonceParts(value)!;
  }
  return Object.keys(match).length > 0 ? match : undefined;
}

const where = (handler: SocketHandler) => `${handler.file}:${handler.line}`;

/**
 * Pure: the join is the handler that calls `socket.join(` (else one named like a join), its confirmation
 * what it emits back to the sender after joining (else an acknowledgement); the message is the handler
 * that emits to the room, and the echo is that emit.
 */
export function draftSocketIoSmoke(handlers: readonly SocketHandler[]): SocketIoDraft {
  const joiner =
    handlers.find((handler) => handler.joinsAt >= 0) ??
    handlers.find((handler) => /join|enter|add user|login|subscribe/i.test(handler.event));
  const draft: SocketIoDraft = { confident: false };
  let joinDerived = false;
  if (joiner) {
    const after = joiner.emits.filter((emit) => joiner.joinsAt < 0 || emit.at > joiner.joinsAt);
    const confirmation =
      after.find((emit) => emit.target === "sender") ?? after.find((emit) => emit.target === "everyone");
    const { payload, derived } = payloadFor(joiner, "join");
    joinDerived = derived;
    draft.join = {
      event: joiner.event,
      payload,
      waitFor: confirmation ? { event: confirmation.event } : joiner.acknowledges ? { ack: true } : undefined,
      where: where(joiner),
    };
  }
  const sender =
    handlers.find(
      (handler) =>
        handler !== joiner &&
        handler.emits.some((emit) => emit.target !== "sender") &&
        TEXT.test(handler.event) &&
        !/typing/i.test(handler.event),
    ) ??
    handlers.find(
      (handler) =>
        handler !== joiner &&
        handler.emits.some((emit) => emit.target !== "sender" && emit.event === handler.event),
    );
  if (sender) {
    const { payload, vars, derived } = payloadFor(sender, "send");
    const echo =
      sender.emits.find((emit) => emit.target !== "sender" && emit.event === sender.event) ??
      sender.emits.find((emit) => emit.target !== "sender")!;
    draft.send = { event: sender.event, payload, where: where(sender) };
    const match = expectedMatch(echo.payload, vars);
    draft.expect = { event: echo.event, match, target: echo.target };
    draft.confident = Boolean(joinDerived && derived && draft.join?.waitFor && match);
  }
  return draft;
}
