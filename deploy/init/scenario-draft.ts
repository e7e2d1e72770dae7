import type { DirectEvent, RestRoute } from "./server-surface.js";
import type { SocketIoDraft } from "./smoke-draft.js";
import type { SocketHandler } from "./socket-handlers.js";

type Json = string | number | boolean | Json[] | { [key: string]: Json };

/** One drafted entry of `smoke.scenarios` (format: docs/reference.md, scenarios). */
export interface ScenarioDraft {
  name: string;
  description: string;
  /** Every part came from the server's own code; else it is written commented out. */
  confident: boolean;
  /** Why it is unsure, for the comment above it. */
  unsure?: string;
  clients: string[];
  steps: Array<Record<string, Json>>;
}

const ROOM = /room|channel/i;
const TEXT = /^(text|content|message|body|msg)$/i;

/** Replaces "{{client}}" in a drafted payload with a client's own name, as its steps need. */
function forClient(payload: Json, client: string): Json {
  if (typeof payload === "string") return payload.replaceAll("{{client}}", client);
  if (Array.isArray(payload)) return payload.map((item) => forClient(item, client));
  if (typeof payload === "object") {
    return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, forClient(value, client)]));
  }
  return payload;
}

function joinSteps(join: NonNullable<SocketIoDraft["join"]>, client: string): Array<Record<string, Json>> {
  const emit: Record<string, Json> = {
    client,
    event: join.event,
    payload: forClient(join.payload as Json, client),
  };
  if (join.waitFor && "ack" in join.waitFor) return [{ emit: { ...emit, ack: true } }];
  return [{ emit }, ...(join.waitFor ? [{ expect: { client, event: join.waitFor.event } }] : [])];
}

/** The key of the join reply that carries stored messages: an object key whose value is not a parameter. */
function historyKey(handler: SocketHandler | undefined, event: string): string | undefined {
  const emit = handler?.emits.find((candidate) => candidate.event === event);
  const object = emit && /^\{([\s\S]*)\}$/.exec(emit.payload.trim());
  if (!object) return undefined;
  return object[1]!
    .split(",")
    .map((part) => part.split(":").map((side) => side.trim()))
    .find(
      ([key, value]) => value !== undefined && /^(await\s+)?[\w$.]+\(/.test(value) && /^\w+$/.test(key!),
    )?.[0];
}

type DraftInput = {
  socketIo: SocketIoDraft | undefined;
  handlers: readonly SocketHandler[];
  restRoutes: readonly RestRoute[];
  directEvents: readonly DirectEvent[];
  historyEvents: readonly string[];
};

/**
 * Pure: scenarios drafted from what detection found. A join that answers with history → a late
 * joiner sees an earlier message; a REST route that emits to the room → a burst of POSTs every
 * client receives; an event addressed to one recipient → that recipient (and no one else) gets it,
 * also after reconnecting (always unsure: who the recipient is comes from the app).
 */
export function draftScenarios(input: DraftInput): ScenarioDraft[] {
  return [
    historyOnJoin(input),
    restBurst(input),
    ...input.directEvents.slice(0, 1).map((direct) => directDelivery(direct, input.socketIo?.join)),
  ].filter((scenario): scenario is ScenarioDraft => scenario !== undefined);
}

/** A join answered with history: a client joining later gets the earlier message. */
function historyOnJoin(input: DraftInput): ScenarioDraft | undefined {
  const { socketIo } = input;
  const join = socketIo?.join;
  const joinReply = join?.waitFor && "event" in join.waitFor ? join.waitFor.event : undefined;
  if (!(join && joinReply && input.historyEvents.includes(joinReply) && socketIo?.send && socketIo.expect))
    return undefined;
  const key = historyKey(
    input.handlers.find((handler) => handler.event === join.event),
    joinReply,
  );
  const match = socketIo.expect.match;
  return {
    name: "history-on-join",
    description: `A client joining later gets the earlier message in ${joinReply}`,
    confident: Boolean(key && match),
    ...(key && match ? {} : { unsure: `which field of ${joinReply} holds the messages` }),
    clients: ["alice", "bob"],
    steps: [
      { connect: "alice" },
      ...joinSteps(join, "alice"),
      { emit: { client: "alice", event: socketIo.send.event, payload: socketIo.send.payload as Json } },
      ...(socketIo.expect.target === "others"
        ? []
        : [
            {
              expect: {
                client: "alice",
                event: socketIo.expect.event,
                ...(match ? { match: match as Json } : {}),
              },
            },
          ]),
      { connect: "bob" },
      { emit: { client: "bob", event: join.event, payload: forClient(join.payload as Json, "bob") } },
      {
        expect: {
          client: "bob",
          event: joinReply,
          match: { [key ?? "messages"]: { $contains: (match ?? { id: "{{nonce}}" }) as Json } },
        },
      },
    ],
  };
}

/** A REST route that emits to the room: a burst of requests every client in the room receives. */
function restBurst(input: DraftInput): ScenarioDraft | undefined {
  const join = input.socketIo?.join;
  const post = input.restRoutes.find((route) => route.method === "POST" && route.emits);
  if (!(post && join)) return undefined;
  const body: Record<string, Json> = {};
  for (const key of post.bodyKeys)
    body[key] = ROOM.test(key) ? "{{room}}" : TEXT.test(key) ? "m{{i}} {{nonce}}" : "smoke";
  const textKey = post.bodyKeys.find((key) => TEXT.test(key));
  const path = post.path.replace(/:([A-Za-z_]\w*)/g, (_, name: string) =>
    ROOM.test(name) ? "{{room}}" : "smoke",
  );
  const routed = ROOM.test(post.path) || post.bodyKeys.some((key) => ROOM.test(key));
  const carried = textKey !== undefined && new RegExp(`\\b${textKey}\\b|\\.\\.\\.`).test(post.emits!.payload);
  return {
    name: "rest-burst",
    description: `${post.method} ${post.path} 10 times: every client in the room gets each ${post.emits!.event}`,
    confident: routed && carried && Boolean(join.waitFor),
    ...(routed && carried
      ? {}
      : { unsure: "the request body and the field the emitted message carries it in" }),
    clients: ["alice", "bob", "carol"],
    steps: [
      { connect: ["alice", "bob", "carol"] },
      ...joinSteps(join, "alice"),
      ...joinSteps(join, "bob"),
      ...joinSteps(join, "carol"),
      {
        burst: {
          count: 10,
          from: { http: { method: post.method, path, body } },
          receivers: ["alice", "bob", "carol"],
          expect: { event: post.emits!.event, match: { [textKey ?? "text"]: "m{{i}} {{nonce}}" } },
          order: "arrival",
        },
      },
    ],
  };
}

/** An event addressed to one recipient: only that client gets it, also after reconnecting. */
function directDelivery(direct: DirectEvent, join: SocketIoDraft["join"] | undefined): ScenarioDraft {
  return {
    name: `direct-${direct.event.replace(/[^a-z0-9-]+/gi, "-").toLowerCase()}`,
    description: `${direct.event} reaches only the recipient named in ${direct.recipientKey}, also after it reconnects`,
    confident: false,
    unsure: `what ${direct.recipientKey} holds (a socket id, a user id): capture it from a reply, or give each client an identity (auth)`,
    clients: ["alice", "bob", "carol"],
    steps: [
      { connect: ["alice", "bob", "carol"] },
      ...(join ? [...joinSteps(join, "bob")] : []),
      {
        emit: {
          client: "alice",
          event: direct.event,
          payload: { [direct.recipientKey]: "{{bobId}}", data: "{{nonce}}" },
        },
      },
      { expect: { client: "bob", event: direct.delivers } },
      { expectNone: { client: "carol", event: direct.delivers, settleMs: 500 } },
      { drop: "bob" },
      { reconnect: "bob" },
    ],
  };
}
