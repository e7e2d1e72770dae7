import type { Inbound } from "../echo/connection.js";
import { summarizeMessage } from "../echo/diagnose.js";
import { looksLikeError } from "../echo/inbox.js";
import { subsetMatch, valueAtPath } from "../subset-match.js";
import { explainMismatch } from "./mismatch.js";

/** What a step waits for: a socket.io event (or any message for ws-json), its argument matching. */
export interface MessageMatcher {
  event?: string | undefined;
  match?: unknown;
  arg?: number | undefined;
  ack?: boolean;
}

export function matchesMessage(matcher: MessageMatcher): (message: Inbound) => boolean {
  return (message) =>
    (matcher.ack === true) === (message.ack === true) &&
    (matcher.event === undefined || message.event === matcher.event) &&
    (matcher.match === undefined || subsetMatch(message.args[matcher.arg ?? 0], matcher.match));
}

/** `"dm" matching {"text":"hi"}`, `a message matching {…}`, `the acknowledgement of "register"`. */
export function describeMatcher(matcher: MessageMatcher, emitted?: string): string {
  const which = matcher.arg ? ` argument ${matcher.arg}` : "";
  const match =
    matcher.match !== undefined ? `${which} matching ${summarizeMessage(undefined, matcher.match, 120)}` : "";
  if (matcher.ack) return `the acknowledgement of ${emitted ? `"${emitted}"` : "the emit"}${match}`;
  return matcher.event ? `"${matcher.event}"${match}` : `a message${match}`;
}

/**
 * The message that best explains a miss, with why it does not match: the last one of the same
 * event (socket.io), else the last error-looking one, else the last one.
 */
export function closestMiss(
  messages: readonly Inbound[],
  matcher: MessageMatcher,
): { summary: string; why?: string } | undefined {
  const candidates = messages.filter((message) => (message.ack === true) === (matcher.ack === true));
  const sameEvent =
    matcher.event !== undefined ? candidates.findLast((m) => m.event === matcher.event) : undefined;
  const chosen = sameEvent ?? candidates.findLast(looksLikeError) ?? candidates.at(-1);
  if (!chosen) return undefined;
  const summary = summarizeMessage(chosen.event, chosen.payload);
  const comparable = matcher.event === undefined || chosen.event === matcher.event;
  const why =
    comparable && matcher.match !== undefined
      ? explainMismatch(chosen.args[matcher.arg ?? 0], matcher.match)
      : undefined;
  return why ? { summary, why } : { summary };
}

/** Reads `capture` paths from a received value; names the first path that is missing. */
export function captureFrom(
  value: unknown,
  capture: Record<string, string> | undefined,
): { ok: true; vars: Record<string, unknown> } | { ok: false; problem: string } {
  const vars: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(capture ?? {})) {
    const found = valueAtPath(value, path);
    if (found === undefined)
      return {
        ok: false,
        problem: `can't capture ${name}: the value received has no ${path} (${summarizeMessage(undefined, value, 120)})`,
      };
    vars[name] = found;
  }
  return { ok: true, vars };
}
