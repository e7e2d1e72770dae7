import * as z from "zod";

/**
 * `smoke.scenarios`: named, ordered scripts of steps over named clients, run by the gate after the
 * echo check (deploy/smoke/scenario/). The format is a contract shared with `init`, which drafts them.
 */

const MAX_MS = 3_600_000;
const ms = z.number().int().positive().max(MAX_MS, `must be at most ${MAX_MS} (one hour)`);
/** Far more than a gate needs; bounds the time and the messages one burst sends through the app. */
const MAX_BURST = 1000;

const clientName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "must be a name like alice or user-2 (letters, digits, - and _)");
const clientList = z
  .union([clientName, z.array(clientName).min(1)])
  .describe("A client name, or a list of them (handled in order).");
const jsonValue = z.unknown();
const dotPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "must be a dot path like id or message.seq");
const captureSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name like msgId"), dotPath)
  .describe(
    "Variables to set from what this step received: { name: dot path } (socket.io: into argument `arg`; ws-json: into the message; http: into the JSON body). Later steps use them as {{name}}.",
  );
const arg = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe("socket.io: which argument of the event `match` and `capture` read; default 0.");
const match = jsonValue
  .optional()
  .describe(
    "Deep subset the received value must contain, with operators { $contains: X } (an array element matching X), { $gt | $gte | $lt | $lte: N } and { $exists: true | false }. Templates allowed.",
  );
const timeoutMs = ms.optional().describe("This step's budget in ms (default: the scenario's stepTimeoutMs).");
const stringMap = z.record(z.string(), z.string());

const clientSchema = z.strictObject({
  auth: z
    .record(z.string(), jsonValue)
    .optional()
    .describe(
      "socket.io: the handshake `auth` object (socket.handshake.auth on the server). Templates allowed.",
    ),
  query: stringMap
    .optional()
    .describe(
      "socket.io: the handshake query (socket.handshake.query); ws-json: added to the WebSocket URL's query string. Templates allowed.",
    ),
  headers: stringMap
    .optional()
    .describe(
      "HTTP headers of the handshake (socket.io extraHeaders, ws upgrade request). Templates allowed.",
    ),
});

const emitSchema = z.strictObject({
  client: clientName.describe("The client that emits (connected)."),
  event: z.string().min(1).describe("The event name."),
  payload: jsonValue.optional().describe("The event's one argument. Templates allowed."),
  args: z.array(jsonValue).optional().describe("Several arguments instead of payload."),
  ack: z
    .union([
      z.literal(true),
      z.strictObject({
        match: jsonValue.optional().describe("Deep subset of the acknowledgement's argument `arg`."),
        arg,
      }),
    ])
    .optional()
    .describe(
      "Wait for the server's acknowledgement (the emit's callback); `{ match }` also checks it. `capture` then reads the acknowledgement.",
    ),
  capture: captureSchema.optional(),
  timeoutMs,
});

const sendSchema = z.strictObject({
  client: clientName.describe("The client that sends (connected)."),
  payload: jsonValue.describe("The whole message, sent as one JSON text frame. Templates allowed."),
});

const httpRequestFields = {
  method: z
    .enum(["GET", "POST", "PUT", "PATCH", "DELETE"])
    .default("GET")
    .describe("The HTTP method (default GET)."),
  path: z
    .string()
    .startsWith("/", "must start with /")
    .describe("Path (and query) on the service, e.g. /api/messages/{{bobId}}. Templates allowed."),
  headers: stringMap.optional().describe("Request headers. Templates allowed."),
  body: jsonValue
    .optional()
    .describe("A JSON body (sent with content-type application/json). Templates allowed."),
};

const httpSchema = z.strictObject({
  ...httpRequestFields,
  status: z
    .number()
    .int()
    .min(100)
    .max(599)
    .optional()
    .describe("The status the answer must have; default any 2xx."),
  match,
  capture: captureSchema.optional(),
  timeoutMs,
});

const expectSchema = z.strictObject({
  client: clientName.describe("The client that must receive it."),
  event: z.string().min(1).optional().describe("socket.io: the event name."),
  match,
  arg,
  capture: captureSchema.optional(),
  timeoutMs,
});

const expectNoneSchema = z.strictObject({
  client: clientName.describe("The client that must not receive it."),
  event: z
    .string()
    .min(1)
    .optional()
    .describe("socket.io: the event name; without event and match, any message."),
  match,
  arg,
  settleMs: ms
    .default(500)
    .describe(
      "How long to watch, in ms (default 500). Messages that arrived since the previous step began and that no expect took count too: right after an expect, the same matcher here means no duplicate.",
    ),
});

const burstSchema = z.strictObject({
  count: z
    .number()
    .int()
    .min(2)
    .max(MAX_BURST, `must be at most ${MAX_BURST}`)
    .describe("How many messages to send back to back; {{i}} is 0..count-1 in each."),
  from: z
    .union([
      z.strictObject({
        client: clientName.describe("The sending client."),
        event: z.string().min(1).optional().describe("socket.io: the event to emit."),
        payload: jsonValue
          .optional()
          .describe("The message (ws-json) or the event's argument; {{i}} allowed."),
        args: z.array(jsonValue).optional().describe("socket.io: several arguments instead of payload."),
      }),
      z.strictObject({
        http: z
          .strictObject(httpRequestFields)
          .describe("Each message submitted over HTTP; any 2xx is accepted."),
      }),
    ])
    .describe("Who sends: a client (emit / send) or HTTP requests (one after the other)."),
  receivers: z.array(clientName).min(1).describe("Clients that must each receive all count messages once."),
  expect: z
    .strictObject({
      event: z.string().min(1).optional().describe("socket.io: the event name."),
      match: match.describe(
        "What message {{i}} looks like when received; must tell the messages apart by {{i}}.",
      ),
      arg,
    })
    .describe("What each received message looks like."),
  order: z
    .union([
      z.literal("arrival"),
      z.literal("none"),
      z.strictObject({
        field: dotPath.describe("Dot path of a number that must increase message by message."),
      }),
    ])
    .default("arrival")
    .describe("arrival: in the order sent; { field }: by an increasing numeric field; none: any order."),
  settleMs: z
    .number()
    .int()
    .min(0)
    .max(MAX_MS)
    .default(0)
    .describe("After every receiver has all count, keep watching this long for duplicates (default 0)."),
  timeoutMs,
});

const stepSchema = z
  .strictObject({
    connect: clientList.optional().describe("Open the client's connection (its identity from clients:)."),
    disconnect: clientList.optional().describe("Close the client's connection cleanly."),
    drop: clientList
      .optional()
      .describe("Cut the client's connection abruptly (the socket destroyed, no close handshake)."),
    reconnect: z
      .union([
        clientList,
        z.strictObject({
          client: clientName.describe("The client to reconnect."),
          keepOld: z
            .boolean()
            .default(false)
            .describe(
              "Leave the old connection open, unused, as a phone's dead socket the server still holds: what arrives there is reported (a server sending to the stale socket).",
            ),
        }),
      ])
      .optional()
      .describe("A new connection with the same identity; an open old one is closed first (unless keepOld)."),
    emit: emitSchema.optional().describe("socket.io: emit an event from a client."),
    send: sendSchema.optional().describe("ws-json: send a message from a client."),
    http: httpSchema.optional().describe("An HTTP request to the service (REST send or read back)."),
    expect: expectSchema.optional().describe("A client must receive a message (the first not taken yet)."),
    expectNone: expectNoneSchema
      .optional()
      .describe("A client must receive no (further) matching message during settleMs."),
    burst: burstSchema
      .optional()
      .describe("count sends back to back; every receiver gets all, once, in order."),
  })
  .superRefine((step, ctx) => {
    const kinds = Object.keys(step).filter((key) => step[key as keyof typeof step] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message:
          kinds.length === 0
            ? `a step needs one of ${stepKinds.join(", ")}`
            : `one kind per step: split ${kinds.join(" and ")} into separate steps`,
      });
    }
  });

const stepKinds = [
  "connect",
  "disconnect",
  "drop",
  "reconnect",
  "emit",
  "send",
  "http",
  "expect",
  "expectNone",
  "burst",
] as const;
export type StepKind = (typeof stepKinds)[number];

export const scenarioSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and - (e.g. offline-dm)")
    .max(63)
    .describe("Unique name; shown in reports, JUnit and the gate record."),
  description: z.string().optional().describe("What the scenario proves, in a sentence."),
  timeoutMs: ms.default(30_000).describe("Budget for the whole scenario in ms (default 30000)."),
  stepTimeoutMs: ms.optional().describe("Default budget of each step in ms (default echo.timeoutMs)."),
  clients: z
    .record(clientName, clientSchema)
    .refine((clients) => Object.keys(clients).length > 0, "needs at least one client")
    .describe("Named clients, each one identity; connected only by a connect step."),
  steps: z.array(stepSchema).min(1).describe("The steps, run in order; the first failure ends the scenario."),
});

export type ScenarioSpec = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof stepSchema>;
export type ScenarioClient = z.infer<typeof clientSchema>;
export type EmitStep = z.infer<typeof emitSchema>;
export type HttpStep = z.infer<typeof httpSchema>;
export type ExpectStep = z.infer<typeof expectSchema>;
export type ExpectNoneStep = z.infer<typeof expectNoneSchema>;
export type BurstStep = z.infer<typeof burstSchema>;

/** The one kind a validated step has. */
export function stepKind(step: ScenarioStep): StepKind {
  return stepKinds.find((kind) => step[kind] !== undefined)!;
}

/** The clients a step acts on or reads, in order (an http step has none). */
export function stepClients(step: ScenarioStep): string[] {
  const kind = stepKind(step);
  switch (kind) {
    case "connect":
    case "disconnect":
    case "drop":
    case "reconnect": {
      const value = step[kind]!;
      if (typeof value === "string") return [value];
      return Array.isArray(value) ? value : [value.client];
    }
    case "burst":
      return [...("client" in step.burst!.from ? [step.burst!.from.client] : []), ...step.burst!.receivers];
    case "http":
      return [];
    default:
      return [(step[kind] as { client: string }).client];
  }
}
