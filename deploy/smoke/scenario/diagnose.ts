/** What is known when an expect fails; every field is optional context for the sentence. */
interface MissFacts {
  step: number;
  client: string;
  /** `"dm" matching {"text":"hi"}` */
  awaited: string;
  timeoutMs: number;
  /** This is the client's 2nd or later connection, opened at that step. */
  reconnectedAt?: number;
  /** How the connection before it ended. */
  previous?: { how: "closed" | "dropped" | "lost" | "left open"; atStep: number };
  /** What the client sent on this connection before the step (the last one). */
  lastSent?: { step: number; what: string };
  /** The connection ended while waiting. */
  closed?: string;
  /** Steps that already took a matching message received on this connection. */
  takenBy: number[];
  /** Matching messages that reached the client's earlier connections. */
  onOldSocket: number;
  /** Other clients that received a matching message. */
  elsewhere: string[];
  /** The closest message received instead, and why it does not match. */
  instead?: { summary: string; why?: string };
}

/** One sentence (or a few joined by ;) on why an expected message did not arrive. */
export function diagnoseMiss(facts: MissFacts): string {
  const { client } = facts;
  const parts: string[] = [];
  const context: string[] = [];
  if (facts.reconnectedAt !== undefined) context.push(`${client} reconnected at step ${facts.reconnectedAt}`);
  if (facts.lastSent)
    context.push(
      `${facts.reconnectedAt !== undefined ? "and " : `${client} `}sent ${facts.lastSent.what} at step ${facts.lastSent.step}`,
    );
  const socket = facts.reconnectedAt !== undefined ? `${client}'s new socket` : `${client}'s socket`;
  if (facts.closed) {
    parts.push(`${facts.awaited} did not arrive: ${client}'s connection ended first (${facts.closed})`);
  } else if (facts.takenBy.length > 0) {
    parts.push(
      `no further ${facts.awaited} arrived on ${socket} within ${facts.timeoutMs} ms (the one that arrived was taken by step ${facts.takenBy.join(", ")})`,
    );
  } else if (facts.reconnectedAt === undefined) {
    parts.push(`${client} got ${no(facts.awaited)} within ${facts.timeoutMs} ms`);
  } else {
    const old = facts.previous
      ? `; ${client}'s old socket was ${facts.previous.how === "lost" ? "closed by the server" : facts.previous.how} at step ${facts.previous.atStep}${facts.onOldSocket > 0 ? `, and ${facts.onOldSocket === 1 ? "one" : facts.onOldSocket} arrived there: the server sends to the stale socket` : ""}`
      : "";
    const live = facts.reconnectedAt !== undefined ? " live" : "";
    parts.push(
      `${facts.awaited} never arrived${live} on ${socket} within ${facts.timeoutMs} ms (it arrived 0 times${old})`,
    );
  }
  if (facts.elsewhere.length > 0) parts.push(`it reached ${facts.elsewhere.join(", ")} but not ${client}`);
  if (facts.instead)
    parts.push(
      `${client} got instead: ${facts.instead.summary}${facts.instead.why ? ` (${facts.instead.why})` : ""}`,
    );
  return [context.length ? `${context.join(" ")}; ${parts[0]}` : parts[0], ...parts.slice(1)].join("; ");
}

/** An expectNone that saw a message: a duplicate when an expect took the same one before. */
export function diagnoseUnwanted(input: {
  client: string;
  awaited: string;
  received: string;
  count: number;
  duplicateOf?: number;
  settleMs: number;
}): string {
  const times = input.count === 1 ? "" : ` (${input.count} times)`;
  if (input.duplicateOf !== undefined)
    return `${input.client} got ${input.awaited} again within ${input.settleMs} ms after step ${input.duplicateOf} took it: a duplicate${times}: ${input.received}`;
  return `${input.client} got ${input.awaited} within ${input.settleMs} ms, which it must not${times}: ${input.received}`;
}

/** `a message matching …` → `no message matching …`; `"dm" …` → `no "dm" …`. */
function no(awaited: string): string {
  return `no ${awaited.replace(/^(a|the) /, "")}`;
}
