/** What one client experienced after the sender's send. */
export interface Receipt {
  client: string;
  /** ms from send to receipt; null when it never arrived. */
  ms: number | null;
  /** Set when the connection ended before the message arrived. */
  closed?: string;
  /** A summary of the last non-matching message it got instead, if any. */
  ignored?: string;
  /** 1 for the first client whose join the server read (or, without a join, that connected). */
  joinRank?: number;
}

interface EchoVerdict {
  ok: boolean;
  detail: string;
}

/**
 * Names exactly who did not receive the message and, where the pattern is
 * telling, why: a sender left out while everyone else got it is the
 * `socket.to(room)` vs `io.to(room)` outage.
 */
export function diagnoseEcho(input: {
  sender: Receipt;
  others: Receipt[];
  senderReceivesEcho: boolean;
  timeoutMs: number;
}): EchoVerdict {
  const { sender, others, timeoutMs } = input;
  const missingOthers = others.filter((receipt) => receipt.ms === null);
  const gotOthers = others.length - missingOthers.length;
  const senderMissing = input.senderReceivesEcho && sender.ms === null;
  const ofOthers = `${gotOthers} of ${others.length} other clients`;

  if (!senderMissing && missingOthers.length === 0) {
    const all = input.senderReceivesEcho ? [sender, ...others] : others;
    const slowest = Math.max(...all.map((receipt) => receipt.ms ?? 0));
    const who = input.senderReceivesEcho
      ? `all ${all.length} clients received the message, the sender included`
      : `all ${others.length} other client${others.length === 1 ? "" : "s"} received the message (sender echo not required)`;
    return { ok: true, detail: `${who}; slowest ${slowest} ms` };
  }

  const sentences: string[] = [];
  if (senderMissing) {
    const what = sender.closed
      ? `the sender (${sender.client}) lost its connection before its own message arrived: ${sender.closed}`
      : `the sender (${sender.client}) did not receive its own message within ${timeoutMs} ms`;
    if (missingOthers.length === 0) {
      sentences.push(
        `${what}; ${ofOthers} did — the server broadcasts excluding the sender (socket.to(room) instead of io.to(room)?)`,
      );
    } else if (gotOthers === 0 && !sender.closed) {
      sentences.push(
        `no client received the message within ${timeoutMs} ms, the sender included — the server did not broadcast it: check the spec's send and expect steps (event names, match) and that the joins took effect`,
      );
    } else {
      sentences.push(`${what}; ${ofOthers} did`);
    }
  }
  if (missingOthers.length > 0 && !(senderMissing && gotOthers === 0 && !sender.closed)) {
    const joined = others.length + 1;
    let fanOut: string | undefined;
    for (const receipt of missingOthers) {
      sentences.push(
        receipt.closed
          ? `${byJoinOrder(receipt, joined)} lost its connection before the message arrived: ${receipt.closed}`
          : receipt.joinRank === undefined
            ? `client ${receipt.client} did not receive the message within ${timeoutMs} ms`
            : `${byJoinOrder(receipt, joined)} got nothing within ${timeoutMs} ms`,
      );
    }
    if (!senderMissing) {
      const senderPart = input.senderReceivesEcho ? "the sender did" : "";
      const othersPart = gotOthers > 0 ? `${ofOthers} did` : "";
      const summary = [senderPart, othersPart].filter(Boolean).join(" and ");
      if (summary) sentences.push(summary);
      if (gotOthers === 0 && input.senderReceivesEcho && missingOthers.every((r) => !r.closed)) {
        sentences.push("the server echoes only to the sender, or the other clients never joined the room");
      }
    }
    const ranks = missingOthers.map((r) => r.joinRank ?? 0).sort((a, b) => a - b);
    const stopsAt = ranks[0]! - 1;
    if (
      joined >= 3 &&
      stopsAt >= 2 &&
      ranks.every((rank, at) => rank === stopsAt + 1 + at) &&
      ranks.at(-1) === joined &&
      (input.senderReceivesEcho ? sender.ms !== null : true)
    ) {
      fanOut = `only the first ${stopsAt} clients to join got it: does the server's fan-out stop at ${stopsAt} members?`;
    }
    if (fanOut) sentences.push(fanOut);
  }
  const firstIgnored = [sender, ...missingOthers].find((receipt) => receipt.ms === null && receipt.ignored);
  if (firstIgnored) sentences.push(`${firstIgnored.client} got instead: ${firstIgnored.ignored}`);
  return { ok: false, detail: sentences.join("; ") };
}

/** A short, single-line rendering of a received message for reports. */
export function summarizeMessage(event: string | undefined, payload: unknown, max = 160): string {
  let text: string;
  try {
    text = typeof payload === "string" ? payload : JSON.stringify(payload);
  } catch {
    text = String(payload);
  }
  text = (event !== undefined ? `${event} ${text ?? ""}` : (text ?? "")).replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `the 3rd client to join (joined last; smoke-2)`: where it stands in the room, then its name. */
function byJoinOrder(receipt: Receipt, joined: number): string {
  if (receipt.joinRank === undefined) return `client ${receipt.client}`;
  const rank = receipt.joinRank;
  const where = rank === joined ? "joined last; " : rank === 1 ? "joined first; " : "";
  return `the ${ordinal(rank)} client to join (${where}${receipt.client})`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th"}`;
}
