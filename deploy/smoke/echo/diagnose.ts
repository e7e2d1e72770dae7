/** What one client experienced after the sender's send. */
export interface Receipt {
  client: string;
  /** ms from send to receipt; null when it never arrived. */
  ms: number | null;
  /** Set when the connection ended before the message arrived. */
  closed?: string;
  /** A summary of the last non-matching message it got instead, if any. */
  ignored?: string;
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
    for (const receipt of missingOthers) {
      sentences.push(
        receipt.closed
          ? `client ${receipt.client} lost its connection before the message arrived: ${receipt.closed}`
          : `client ${receipt.client} did not receive the message within ${timeoutMs} ms`,
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
