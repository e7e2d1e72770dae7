import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { DirectHandlers } from "./direct-handlers.js";
import type { Logger } from "./logger.js";
import { MAX_CONTENT_LENGTH } from "./protocol.js";
import type { RoomHandlers } from "./room-handlers.js";
import type { Store } from "./store/store.js";

export interface RestDeps {
  rooms: Pick<RoomHandlers, "post" | "history">;
  direct: Pick<DirectHandlers, "send">;
  store: Store;
  log: Logger;
  /** Largest accepted request body (MAX_FRAME_BYTES, as for a WebSocket frame). */
  maxBodyBytes: number;
  /** Messages a GET returns at most (ROOM_HISTORY_LIMIT). */
  historyLimit: number;
}

type Reply = (statusCode: number, body: unknown) => void;

const name = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(128, `${what} must be at most 128 characters`);

const postSchema = z.object({
  from: name("from"),
  content: z
    .string({ error: "content must be a string" })
    .max(MAX_CONTENT_LENGTH, `content must be at most ${MAX_CONTENT_LENGTH} characters`),
  id: name("id").optional(),
});

const ROUTE = /^\/api\/(rooms|users)\/([^/]+)\/messages$/;

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Pure: which resource an /api path names, or null. */
function matchApiRoute(path: string): { kind: "rooms" | "users"; id: string } | null {
  const match = ROUTE.exec(path);
  if (!match) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[2]!);
  } catch {
    return null;
  }
  if (id.length === 0 || id.length > 128) return null;
  return { kind: match[1] as "rooms" | "users", id };
}

function sinceFrom(url: URL): number {
  const raw = url.searchParams.get("since");
  if (raw === null || raw === "") return 0;
  const since = Number(raw);
  if (!Number.isInteger(since) || since < 0) {
    throw new HttpError(400, "invalid-message", `Can't use since=${raw}: expected an integer >= 0.`);
  }
  return since;
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, "too-large", `The body is larger than ${maxBytes} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid-json", "Can't parse the body as JSON; send one JSON object.");
  }
}

function parsePost(raw: unknown): z.infer<typeof postSchema> {
  const parsed = postSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new HttpError(400, "invalid-message", `Can't use the message: ${issues.join("; ")}.`);
}

/**
 * The REST side of the same rooms and users: POST a message (fanned out over the WebSockets like
 * one sent on a socket), GET what was kept. Routes:
 * `/api/rooms/:roomId/messages` and `/api/users/:userId/messages` (GET ?since=seq, POST).
 */
export function createRestApi(deps: RestDeps) {
  async function route(
    req: IncomingMessage,
    url: URL,
    target: { kind: "rooms" | "users"; id: string },
    reply: Reply,
  ) {
    if (req.method === "GET" || req.method === "HEAD") {
      const since = sinceFrom(url);
      if (target.kind === "rooms") {
        const messages = await deps.rooms.history(target.id, since);
        return reply(200, { roomId: target.id, messages });
      }
      const messages = await deps.store.conversation(target.id, since, deps.historyLimit);
      return reply(200, { userId: target.id, messages });
    }
    if (req.method !== "POST") {
      throw new HttpError(405, "method-not-allowed", `Use GET or POST on ${url.pathname}.`);
    }
    const body = parsePost(await readJson(req, deps.maxBodyBytes));
    const message = { id: body.id ?? randomUUID(), content: body.content };
    if (target.kind === "rooms") {
      const posted = await deps.rooms.post(target.id, body.from, message);
      return reply(201, { roomId: target.id, message: posted.message, recipients: posted.recipients });
    }
    const sent = await deps.direct.send(body.from, target.id, message);
    return reply(201, { message: sent.message, delivery: sent.delivery });
  }

  /** Answers an /api request (true), or leaves it to the caller (false: not an API path). */
  return function handle(req: IncomingMessage, url: URL, reply: Reply): boolean {
    if (!url.pathname.startsWith("/api/")) return false;
    const target = matchApiRoute(url.pathname);
    if (!target) {
      reply(404, { error: "not-found", path: url.pathname });
      return true;
    }
    route(req, url, target, reply).catch((failure: unknown) => {
      if (failure instanceof HttpError) {
        return reply(failure.statusCode, { error: failure.code, message: failure.message });
      }
      deps.log.log("ERROR", "Failed to answer an API request", {
        path: url.pathname,
        error: String(failure),
      });
      reply(503, {
        error: "unavailable",
        message: "The server could not store or read messages right now; try again.",
      });
    });
    return true;
  };
}
