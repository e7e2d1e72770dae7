import { z } from "zod";
import { templateProblems } from "./templates.js";

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
const jsonObject = z.record(z.string(), z.unknown());

export const protocols = ["socket.io", "ws-json"] as const;
export type SmokeProtocol = (typeof protocols)[number];

const defaultPaths: Record<SmokeProtocol, string> = { "socket.io": "/socket.io/", "ws-json": "/" };

/**
 * Every client is a WebSocket held open on the service. Cloud Run counts each as a request, and past
 * its default 80 concurrent requests per instance it starts another instance, where the in-memory
 * room doesn't exist: the echo would fail for a reason unrelated to the release. 50 stays under
 * that with room for real traffic, and keeps the gate a few seconds long.
 */
export const MAX_CLIENTS = 50;

const urlPath = z.string().startsWith("/", "must start with /");
/** `version` or `build.version`: plain keys joined by dots. */
const dotPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "must be a dot path like version or build.version");

export const healthSpecSchema = z.strictObject({
  path: urlPath.default("/health"),
  versionField: dotPath.default("version"),
  /** Checked only when the caller knows the revision it deployed (`expectRevision`). */
  revisionField: dotPath.default("revision"),
  /** Total budget, retries included: covers cold starts. */
  timeoutMs: positiveMs.default(30_000),
});

/** A message a client waits for: socket.io by event name (and optionally payload), ws-json by payload. */
const matcherSchema = z.strictObject({
  event: z.string().min(1).optional(),
  /** Deep subset of the received payload (socket.io: the first argument; ws-json: the whole message). */
  match: jsonObject.optional(),
});

const joinSchema = z.strictObject({
  event: z.string().min(1).optional(),
  payload: jsonObject,
  waitFor: matcherSchema.optional(),
});

const sendSchema = z.strictObject({
  event: z.string().min(1).optional(),
  payload: jsonObject,
});

const echoInputSchema = z.strictObject({
  protocol: z.enum(protocols).default("ws-json"),
  /** socket.io: the server's `path`; ws-json: the WebSocket path. Default depends on the protocol. */
  path: urlPath.optional(),
  transports: z
    .array(z.enum(["polling", "websocket"]))
    .min(1)
    .refine((list) => new Set(list).size === list.length, "must not repeat a transport")
    .optional(),
  clients: z
    .number()
    .int()
    .min(2, "must be at least 2: one sender and one other receiver")
    .max(MAX_CLIENTS, `must be at most ${MAX_CLIENTS}: the gate proves fan-out, not load`)
    .default(2),
  /** Per phase: connect, join, and delivery after the send. */
  timeoutMs: positiveMs.default(5_000),
  join: joinSchema.optional(),
  send: sendSchema.optional(),
  expect: matcherSchema.optional(),
  senderReceivesEcho: z.boolean().default(true),
});

type EchoInput = z.infer<typeof echoInputSchema>;
export type JoinStep = z.infer<typeof joinSchema>;
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
  if (echo.join?.waitFor) {
    if (socketIo) checkEvent(["join", "waitFor"], echo.join.waitFor);
    else if (!echo.join.waitFor.match) issue(["join", "waitFor", "match"], "ws-json waitFor needs match");
  }
  if (!socketIo && echo.expect && !echo.expect.match)
    issue(["expect", "match"], "ws-json expect needs match");
}

const echoSpecSchema = echoInputSchema.superRefine(checkEcho).transform((echo) => {
  const defaults = echo.protocol === "socket.io" ? socketIoDefaults : wsJsonDefaults;
  const useDefaults = echo.send === undefined && echo.expect === undefined;
  return {
    protocol: echo.protocol,
    path: echo.path ?? defaultPaths[echo.protocol],
    transports: echo.transports ?? (["websocket"] as Array<"polling" | "websocket">),
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
    health: healthSpecSchema.prefault({}),
    echo: echoSpecSchema.prefault({}),
  })
  .superRefine((spec, ctx) => {
    for (const problem of templateProblems(spec.echo)) {
      ctx.addIssue({ code: "custom", path: ["echo", ...problem.path], message: problem.message });
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
