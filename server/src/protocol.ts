import { z } from "zod";

const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(128, `${what} must be at most 128 characters`);

export const MAX_CONTENT_LENGTH = 4_000;

/**
 * A `seq` the client saw: an integer, or its digits as a string (what a query string or a templated
 * client carries); `seq` values are below 2^53, so the conversion is exact.
 */
const sinceField = z
  .union([
    z.number().int().min(0, "since must be >= 0"),
    z.string().regex(/^\d{1,16}$/, "since must be digits"),
  ])
  .transform((value) => Number(value))
  .optional();

export const joinSchema = z.object({
  type: z.literal("join"),
  roomId: id("roomId"),
  peerId: id("peerId"),
  displayName: z.string().max(64, "displayName must be at most 64 characters").optional(),
  /** Last `seq` this client saw in the room: `joined.history` then holds only what came after. */
  since: sinceField,
  /** `joined.token` from an earlier join: required to take over this peerId while it is in the room. */
  token: z.string().max(256, "token must be at most 256 characters").optional(),
});

export const chatMessageSchema = z.object({
  type: z.literal("chat-message"),
  roomId: id("roomId"),
  message: z.object({
    id: id("message.id"),
    content: z
      .string()
      .max(MAX_CONTENT_LENGTH, `message.content must be at most ${MAX_CONTENT_LENGTH} characters`),
  }),
});

export const leaveSchema = z.object({ type: z.literal("leave"), roomId: id("roomId") });

/** Direct messages: a connection speaks for one user, the latest to register it. */
export const registerSchema = z.object({
  type: z.literal("register"),
  userId: id("userId"),
  /** Last direct-message `seq` this client saw: everything to it after that is sent again. */
  since: sinceField,
});

const messageBody = z.object({
  id: id("message.id"),
  content: z
    .string()
    .max(MAX_CONTENT_LENGTH, `message.content must be at most ${MAX_CONTENT_LENGTH} characters`),
});

export const directMessageSchema = z.object({
  type: z.literal("dm"),
  to: id("to"),
  message: messageBody,
});

const schemas = {
  join: joinSchema,
  "chat-message": chatMessageSchema,
  leave: leaveSchema,
  register: registerSchema,
  dm: directMessageSchema,
} as const;

export type JoinRequest = z.infer<typeof joinSchema>;
export type ChatMessageRequest = z.infer<typeof chatMessageSchema>;
export type LeaveRequest = z.infer<typeof leaveSchema>;
export type RegisterRequest = z.infer<typeof registerSchema>;
export type DirectMessageRequest = z.infer<typeof directMessageSchema>;
export type ClientMessage =
  | JoinRequest
  | ChatMessageRequest
  | LeaveRequest
  | RegisterRequest
  | DirectMessageRequest;

/** A chat message as the server stores and broadcasts it. */
export interface ChatMessage {
  id: string;
  content: string;
  from: string;
  ts: number;
  /** Increases with every message (shared by every instance); a rejoin sends the last one seen as `since`. */
  seq: number;
}

/** A direct message as stored: `seq` increases with every direct message the store keeps. */
export interface DirectMessage {
  id: string;
  content: string;
  from: string;
  to: string;
  ts: number;
  seq: number;
}

export type ErrorCode =
  | "invalid-json"
  | "invalid-message"
  | "unknown-type"
  | "binary-not-supported"
  | "not-in-room"
  | "replaced"
  | "peer-id-taken"
  | "too-many-rooms"
  | "rate-limited"
  | "not-registered"
  | "unavailable";

export type ServerMessage =
  | {
      type: "joined";
      roomId: string;
      peerId: string;
      peers: string[];
      history: ChatMessage[];
      /** Proves this client holds `peerId` in `roomId`; send it with a later join to reclaim the id. */
      token: string;
      /** The instance (see /health `instance`) this connection landed on. */
      instance: string;
    }
  | { type: "peer-joined"; roomId: string; peerId: string; displayName?: string }
  | { type: "chat-message"; roomId: string; message: ChatMessage }
  | { type: "message-delivered"; roomId: string; id: string; recipients: number }
  | { type: "left"; roomId: string }
  | { type: "peer-left"; roomId: string; peerId: string }
  | { type: "registered"; userId: string; pending: number }
  | { type: "dm"; message: DirectMessage }
  | { type: "dm-sent"; id: string; to: string; seq: number; ts: number; delivery: "live" | "stored" }
  | { type: "error"; code: ErrorCode; message: string };

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; error: { type: "error"; code: ErrorCode; message: string } };

function fail(code: ErrorCode, message: string): ParseResult {
  return { ok: false, error: { type: "error", code, message } };
}

/** Pure: one text frame in, a validated client message or a protocol error out. */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("invalid-json", "Can't parse the frame as JSON; send one JSON object per text frame.");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return fail("invalid-message", "Can't use the frame: expected a JSON object with a `type` field.");
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== "string" || !Object.hasOwn(schemas, type)) {
    return fail(
      "unknown-type",
      `Can't handle type ${JSON.stringify(type ?? null)}; expected one of ${Object.keys(schemas).join(", ")}.`,
    );
  }
  const parsed = schemas[type as keyof typeof schemas].safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    return fail("invalid-message", `Can't use the ${type} message: ${issues.join("; ")}.`);
  }
  return { ok: true, message: parsed.data };
}

export function encode(message: ServerMessage): string {
  return JSON.stringify(message);
}
