import { posix } from "node:path";
import { closingBrace, type SocketHandler } from "./socket-handlers.js";

/** A REST route of the server, with the prefix its router is mounted at. */
export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  where: string;
  /** Keys the handler reads off the request body (`req.body.text`, `const { text } = req.body`). */
  bodyKeys: string[];
  /** What the handler emits to a room (`io.to(room).emit("new-message", …)`), if anything. */
  emits: { event: string; payload: string } | undefined;
}

/** A handler that emits to one user or socket named in the payload (`io.to(to).emit(...)`): a direct message. */
export interface DirectEvent {
  /** The event the sender emits. */
  event: string;
  /** The payload key naming the recipient. */
  recipientKey: string;
  /** The event the recipient receives. */
  delivers: string;
  where: string;
}

const ROUTE = /\b([A-Za-z_$][\w$]*)\s*\.\s*(get|post|put|patch|delete)\(\s*(['"`])(\/[^'"`$]*)\3/g;
const MOUNT = /\.\s*use\(\s*(['"`])(\/[^'"`$]*)\1\s*,\s*([A-Za-z_$][\w$]*)/g;
const BINDING =
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*(['"])(\.[^'"]+)\2\s*\)|\bimport\s+([A-Za-z_$][\w$]*)\s+from\s+(['"])(\.[^'"]+)\5/g;
const RECIPIENT = /^(to|target|recipient|peer|peerId|user|userId|socketId|receiver|toUserId|toId)$/i;

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** The file a relative specifier names among the server files (same rules as the import graph, simplified). */
function fileFor(from: string, specifier: string, files: readonly string[]): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.[cm]?[jt]sx?$/, "");
  return files.find(
    (file) =>
      file.replace(/\.[cm]?[jt]sx?$/, "") === base || file.replace(/\/index\.[cm]?[jt]sx?$/, "") === base,
  );
}

/**
 * Pure: the REST routes in the server's files, health routes left out. A router mounted with
 * `app.use("/api", messagesRouter(...))` lends its prefix to the routes of the file it came from.
 */
export function restRoutes(code: ReadonlyArray<{ file: string; text: string }>): RestRoute[] {
  const files = code.map(({ file }) => file);
  const prefixOf = new Map<string, string>();
  for (const { file, text } of code) {
    const bound = new Map<string, string>();
    for (const match of text.matchAll(BINDING)) {
      const target = fileFor(file, match[3] ?? match[6]!, files);
      if (target) bound.set(match[1] ?? match[4]!, target);
    }
    for (const match of text.matchAll(MOUNT)) {
      const target = bound.get(match[3]!);
      if (target) prefixOf.set(target, match[2]!.replace(/\/$/, ""));
    }
  }
  const routes: RestRoute[] = [];
  for (const { file, text } of code) {
    for (const match of text.matchAll(ROUTE)) {
      const path = `${prefixOf.get(file) ?? ""}${match[4]!}`;
      if (/^\/health[z]?$/.test(path) || /^(socket|io|ws|wss|client)$/.test(match[1]!)) continue;
      const open = text.indexOf("{", match.index + match[0].length);
      const body = open < 0 ? "" : text.slice(open, closingBrace(text, open));
      routes.push({
        method: match[2]!.toUpperCase() as RestRoute["method"],
        path,
        where: `${file}:${lineOf(text, match.index)}`,
        bodyKeys: bodyKeysOf(body),
        emits: roomEmitOf(body),
      });
    }
  }
  return routes;
}

function bodyKeysOf(body: string): string[] {
  const read = [...body.matchAll(/\b(?:req|request)\.body\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!);
  const destructured = [...body.matchAll(/\{([^}]*)\}\s*=\s*(?:req|request)\.body\b/g)].flatMap((m) =>
    m[1]!.split(",").map((key) => key.split(/[:=]/)[0]!.trim()),
  );
  return [...new Set([...read, ...destructured].filter(Boolean))];
}

function roomEmitOf(body: string): RestRoute["emits"] {
  const match = /\.\s*(?:to|in)\([^)]*\)\s*\.\s*emit\(\s*(['"`])([^'"`$]+)\1\s*,\s*/.exec(body);
  if (!match) return undefined;
  const rest = body.slice(match.index + match[0].length);
  const end = rest.search(/\)\s*;|\)\s*\n/);
  return { event: match[2]!, payload: (end < 0 ? rest : rest.slice(0, end)).trim() };
}

/** Pure: handlers that emit to a recipient named in their payload rather than to a room. */
export function directEvents(handlers: readonly SocketHandler[]): DirectEvent[] {
  return handlers.flatMap((handler) => {
    const keys =
      /^\{([\s\S]*)\}/
        .exec(handler.params[0] ?? "")?.[1]
        ?.split(",")
        .map((key) => key.split(/[:=]/)[0]!.trim()) ?? [];
    const recipientKey = keys.find((key) => RECIPIENT.test(key));
    if (!recipientKey) return [];
    const emit = new RegExp(
      `\\.\\s*(?:to|in)\\(\\s*${recipientKey}\\s*\\)\\s*\\.\\s*emit\\(\\s*(['"\`])([^'"\`$]+)\\1`,
    ).exec(handler.body);
    return emit
      ? [{ event: handler.event, recipientKey, delivers: emit[2]!, where: `${handler.file}:${handler.line}` }]
      : [];
  });
}

/** Pure: events that carry missed messages or resume a session (history on join, a resume or sync request). */
export function historyEvents(handlers: readonly SocketHandler[]): string[] {
  const pattern = /history|backlog|missed|catch-?up|resume|replay|sync/i;
  return [
    ...new Set(
      handlers.flatMap((handler) => [
        ...(pattern.test(handler.event) ? [handler.event] : []),
        ...handler.emits.filter((emit) => pattern.test(emit.event)).map((emit) => emit.event),
      ]),
    ),
  ];
}
