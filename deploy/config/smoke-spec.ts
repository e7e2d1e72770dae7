import * as z from "zod";
import { scenarioProblems } from "./scenario-checks.js";
import { scenarioSchema } from "./scenario-spec.js";
import { templateProblems } from "./smoke-templates.js";

/**
 * The `smoke:` section of an environment (or a standalone `--spec` file).
 * Names here are public: environment files and CI configs depend on them.
 */

/** Longer than any gate should wait, and well inside what a Node timer can (2^31−1 ms). */
export const MAX_TIMEOUT_MS = 3_600_000;
const positiveMs = z
  .number()
  .int()
  .positive()
  .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS} (one hour)`);

export const protocols = ["socket.io", "ws-json"] as const;
export type SmokeProtocol = (typeof protocols)[number];

const defaultPaths: Record<SmokeProtocol, string> = { "socket.io": "/socket.io/", "ws-json": "/" };

/**
 * Every client is a WebSocket held open on the service. Cloud Run counts each as a request, and past
 * its default 80 concurrent requests per instance it starts another instance, where the in-memory
 * room doesn't exist: the echo would fail for a reason unrelated to the build. 50 stays under
 * that with room for real traffic, and keeps the gate a few seconds long.
 */
export const MAX_CLIENTS = 50;

const urlPath = z.string().startsWith("/", "must start with /");
/** `version` or `build.version`: plain keys joined by dots. */
const dotPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "must be a dot path like version or build.version");

const healthSpecSchema = z.strictObject({
  path: urlPath.default("/health").describe("The health route; it must answer 200 with a JSON body."),
  versionField: dotPath
    .default("version")
    .describe(
      "Dot path of the field in the /health JSON that reports APP_VERSION, e.g. version or build.version.",
    ),
  /** Checked only when the caller knows the revision it deployed (`expectRevision`). */
  revisionField: dotPath
    .default("revision")
    .describe(
      "Dot path of the field that reports K_REVISION. Optional in the server contract: checked when present and the gate knows the revision it deployed (a wrong one is refused); when absent the gate passes with a notice.",
    ),
  instanceField: dotPath
    .default("instance")
    .describe(
      "Dot path of the instance id in the health body (the metadata server's instance/id). With maxInstances > 1 the gate reads it to put its clients on two instances and proves a message crosses them. Optional: when absent the clients aren't placed and the gate result carries a notice that crossing instances went unproven.",
    ),
  /** Total budget, retries included: covers cold starts. */
  timeoutMs: positiveMs
    .default(30_000)
    .describe("Total budget for /health in ms, retries included (covers cold starts)."),
});

/** Any JSON value: an object, an array, a string, a number, a boolean or null. */
const jsonValue = z.unknown();

const argIndex = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe(
    "socket.io: which argument of the event (or acknowledgement) `match` checks; default 0, the first.",
  );

/** A message a client waits for: socket.io by event name (and optionally payload), ws-json by payload. */
const matcherSchema = z.strictObject({
  event: z.string().min(1).optional().describe("socket.io: the event name to wait for."),
  /** Deep subset of the received payload (socket.io: the first argument; ws-json: the whole message). */
  match: jsonValue
    .optional()
    .describe(
      "Deep subset the received value must contain: objects by key, arrays element by element, other values equal. socket.io: the argument `arg` (default the first); ws-json: the whole message. Templates allowed.",
    ),
  arg: argIndex,
  ack: z
    .boolean()
    .optional()
    .describe(
      "join.waitFor only (socket.io): wait for the acknowledgement of the join emit (the server's callback) instead of an event; `match` checks its arguments.",
    ),
});

const ackSchema = z
  .union([
    z.literal(true),
    z.strictObject({
      match: jsonValue.optional().describe("Deep subset of the acknowledgement's argument `arg`."),
      arg: argIndex,
    }),
  ])
  .describe(
    "socket.io: the send must be acknowledged (the server calls the emit's callback) within timeoutMs; `{ match }` also checks the acknowledgement's payload.",
  );

const stepFields = {
  event: z.string().min(1).optional().describe("socket.io: the event to emit (required for socket.io)."),
  payload: jsonValue
    .optional()
    .describe(
      "socket.io: the event's one argument, any JSON value; ws-json: the whole message, sent as JSON. Templates allowed.",
    ),
  args: z
    .array(jsonValue)
    .optional()
    .describe(
      'socket.io: several arguments for the event (instead of payload), e.g. ["{{room}}", { text: hi }].',
    ),
};

const joinSchema = z.strictObject({
  ...stepFields,
  waitFor: matcherSchema
    .optional()
    .describe(
      "What each client waits for after its join: an event, or with ack: true the join's acknowledgement.",
    ),
});

const sendSchema = z.strictObject({
  ...stepFields,
  ack: ackSchema.optional(),
});

const echoInputSchema = z.strictObject({
  protocol: z
    .enum(protocols)
    .default("ws-json")
    .describe("`socket.io` (the official client) or `ws-json` (a WebSocket, one JSON message per frame)."),
  /** socket.io: the server's `path`; ws-json: the WebSocket path. Default depends on the protocol. */
  path: urlPath
    .optional()
    .describe(
      "socket.io: the server's `path` option (default /socket.io/); ws-json: the WebSocket path (default /).",
    ),
  transports: z
    .array(z.enum(["polling", "websocket"]))
    .min(1)
    .refine((list) => new Set(list).size === list.length, "must not repeat a transport")
    .optional()
    .describe("socket.io: the client's transports, e.g. [polling, websocket]; default [websocket]."),
  withCredentials: z
    .boolean()
    .default(false)
    .describe(
      "socket.io: the page's client sets `withCredentials: true` (cookies on the polling requests). A browser then needs the polling answers to name the site's origin exactly (not `*`) and carry Access-Control-Allow-Credentials: true; the gate checks both.",
    ),
  extraHeaders: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      "socket.io: the page's client `extraHeaders` (a browser sends them on polling requests only). Any header outside the CORS-safelisted ones makes a browser send a preflight (OPTIONS) first, which must allow the header; the gate sends the preflight and the headers as a browser would.",
    ),
  clients: z
    .number()
    .int()
    .min(2, "must be at least 2: one sender and one other receiver")
    .max(MAX_CLIENTS, `must be at most ${MAX_CLIENTS}: the gate proves fan-out, not load`)
    .default(2)
    .describe(`Clients connected at once: the first sends, every other must receive (2-${MAX_CLIENTS}).`),
  /** Per phase: connect, join, and delivery after the send. */
  timeoutMs: positiveMs
    .default(5_000)
    .describe("Budget in ms per phase: connect, join, and delivery after the send."),
  join: joinSchema
    .optional()
    .describe("What every client sends first (joining the room), and optionally waits for."),
  send: sendSchema
    .optional()
    .describe(
      "What the first client sends once all have joined. Give send and expect together, or neither for the defaults.",
    ),
  expect: matcherSchema
    .optional()
    .describe("What every client (the sender too, unless senderReceivesEcho: false) must receive."),
  senderReceivesEcho: z
    .boolean()
    .default(true)
    .describe(
      "Whether the sender must receive its own message. false for servers that broadcast excluding the sender by design (socket.broadcast.emit, as in the official Socket.IO chat example): the sender check is skipped, every other client must still receive it.",
    ),
});

type EchoInput = z.infer<typeof echoInputSchema>;
type JoinStep = z.infer<typeof joinSchema>;
export type SendStep = z.infer<typeof sendSchema>;
export type Matcher = z.infer<typeof matcherSchema>;

/** Fits the reference server in server/ (server/PROTOCOL.md). */
const wsJsonDefaults = {
  join: {
    payload: { type: "join", roomId: "{{room}}", peerId: "{{client}}", displayName: "{{client}}" },
    waitFor: { match: { type: "joined", roomId: "{{room}}" } },
  },
  send: {
    payload: {
      type: "chat-message",
      roomId: "{{room}}",
      message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" },
    },
  },
  expect: { match: { type: "chat-message", roomId: "{{room}}", message: { id: "{{nonce}}" } } },
};

/** The common Socket.IO chat shape (join-room / chat-message), as in the seeds' server. */
const socketIoDefaults = {
  join: {
    event: "join-room",
    payload: { roomId: "{{room}}", peerId: "{{client}}", displayName: "{{client}}" },
  },
  send: {
    event: "chat-message",
    payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" } },
  },
  expect: { event: "chat-message", match: { id: "{{nonce}}" } },
};

function checkEcho(echo: EchoInput, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if ((echo.send === undefined) !== (echo.expect === undefined)) {
    issue(
      [echo.send ? "expect" : "send"],
      "send and expect go together: give both, or neither for the defaults",
    );
  }
  if (echo.protocol !== "socket.io" && echo.transports && echo.transports.join() !== "websocket") {
    issue(["transports"], "ws-json is WebSocket only: transports apply to protocol socket.io");
  }
  if (echo.protocol !== "socket.io" && echo.withCredentials)
    issue(["withCredentials"], "withCredentials is a socket.io client option: a WebSocket has no CORS");
  for (const name of Object.keys(echo.extraHeaders ?? {}))
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      issue(["extraHeaders", name], "must be an HTTP header name");
  if (echo.protocol !== "socket.io" && Object.keys(echo.extraHeaders ?? {}).length > 0)
    issue(
      ["extraHeaders"],
      "extraHeaders is a socket.io client option: a browser's WebSocket sends no headers of its own",
    );
  const socketIo = echo.protocol === "socket.io";
  const checkEvent = (path: PropertyKey[], step: { event?: string | undefined } | undefined) => {
    if (!step) return;
    if (socketIo && step.event === undefined) issue([...path, "event"], "socket.io needs an event name");
    if (!socketIo && step.event !== undefined) {
      issue([...path, "event"], "ws-json has no event names: the payload is the whole message; match on it");
    }
  };
  checkEvent(["join"], echo.join);
  checkEvent(["send"], echo.send);
  checkEvent(["expect"], echo.expect);
  for (const name of ["join", "send"] as const) {
    const step = echo[name];
    if (!step) continue;
    if (step.args !== undefined && step.payload !== undefined)
      issue([name, "args"], "give payload (one argument) or args (several), not both");
    if (!socketIo && step.args !== undefined)
      issue([name, "args"], "ws-json sends one message: use payload; args are socket.io event arguments");
    if (!socketIo && step.payload === undefined)
      issue([name, "payload"], "ws-json needs a payload: the message to send");
  }
  if (!socketIo && echo.send?.ack !== undefined)
    issue(["send", "ack"], "ws-json has no acknowledgements; they are a socket.io feature");
  const waitFor = echo.join?.waitFor;
  if (waitFor) {
    if (waitFor.ack) {
      if (!socketIo)
        issue(["join", "waitFor", "ack"], "ws-json has no acknowledgements; wait for a message with match");
      if (waitFor.event !== undefined)
        issue(
          ["join", "waitFor", "event"],
          "an acknowledgement has no event name: give ack: true or event, not both",
        );
    } else if (socketIo) checkEvent(["join", "waitFor"], waitFor);
    else if (waitFor.match === undefined) issue(["join", "waitFor", "match"], "ws-json waitFor needs match");
  }
  if (echo.expect?.ack)
    issue(["expect", "ack"], "acknowledgements reach the sender only: require one with send.ack");
  for (const [path, matcher] of [
    [["join", "waitFor"], waitFor],
    [["expect"], echo.expect],
  ] as const) {
    if (!socketIo && matcher?.arg !== undefined)
      issue([...path, "arg"], "ws-json messages have no arguments: match applies to the whole message");
  }
  if (!socketIo && echo.expect && echo.expect.match === undefined)
    issue(["expect", "match"], "ws-json expect needs match");
}

const echoSpecSchema = echoInputSchema.superRefine(checkEcho).transform((echo) => {
  const defaults = echo.protocol === "socket.io" ? socketIoDefaults : wsJsonDefaults;
  const useDefaults = echo.send === undefined && echo.expect === undefined;
  return {
    protocol: echo.protocol,
    path: echo.path ?? defaultPaths[echo.protocol],
    transports: echo.transports ?? (["websocket"] as Array<"polling" | "websocket">),
    withCredentials: echo.withCredentials,
    extraHeaders: echo.extraHeaders ?? {},
    clients: echo.clients,
    timeoutMs: echo.timeoutMs,
    join: (useDefaults && echo.join === undefined ? defaults.join : echo.join) as JoinStep | undefined,
    send: (useDefaults ? defaults.send : echo.send) as SendStep,
    expect: (useDefaults ? defaults.expect : echo.expect) as Matcher,
    senderReceivesEcho: echo.senderReceivesEcho,
  };
});

export const smokeSpecSchema = z
  .strictObject({
    health: healthSpecSchema
      .prefault({})
      .describe("The /health check: the version (and revision) the server reports."),
    echo: echoSpecSchema
      .prefault({})
      .describe("The echo check: clients join a room, one sends, every other receives."),
    scenarios: z
      .array(scenarioSchema)
      .default([])
      .describe(
        "Scripts of steps over named clients (offline delivery, reconnect, groups, bursts, resume), run after the echo check over echo's protocol, path and transports. Each writes messages through the app in its own room and users.",
      ),
  })
  .superRefine((spec, ctx) => {
    for (const problem of templateProblems(spec.echo)) {
      ctx.addIssue({ code: "custom", path: ["echo", ...problem.path], message: problem.message });
    }
    for (const problem of scenarioProblems(spec.scenarios, spec.echo.protocol)) {
      ctx.addIssue({ code: "custom", path: ["scenarios", ...problem.path], message: problem.message });
    }
  });

/** A validated spec with every default filled in. */
export type SmokeSpec = z.infer<typeof smokeSpecSchema>;
/** What a user may write (every field optional where a default exists). */
export type SmokeSpecInput = z.input<typeof smokeSpecSchema>;
export type HealthSpec = SmokeSpec["health"];
export type EchoSpec = SmokeSpec["echo"];

export function defaultSmokeSpec(): SmokeSpec {
  return smokeSpecSchema.parse({});
}
