type Json = string | { [key: string]: Json };

/** A ws-json echo step drafted from the server's message handling. */
export interface WsDraft {
  /** `new WebSocketServer({ path: "/ws" })`, with where it was found. */
  path?: { value: string; where: string };
  join?: { payload: Record<string, Json>; waitFor: Record<string, Json> | undefined };
  send?: { payload: Record<string, Json> };
  expect?: { match: Record<string, Json> };
  confident: boolean;
}

const SERVER_WITH_PATH =
  /new\s+(?:WebSocketServer|WebSocket\s*\.\s*Server|[A-Za-z_$][\w$]*\s*\.\s*Server)\s*\(\s*\{[^}]*?\bpath\s*:\s*(['"`])(\/[^'"`]*)\1/;

/** Pure: the ws path, and the join and chat message types the server switches on. */
export function draftWsSmoke(code: ReadonlyArray<{ file: string; text: string }>): WsDraft {
  const draft: WsDraft = { confident: false };
  for (const { file, text } of code) {
    const match = SERVER_WITH_PATH.exec(text);
    if (match) {
      draft.path = { value: match[2]!, where: `${file}:${text.slice(0, match.index).split("\n").length}` };
      break;
    }
  }
  const all = code.map(({ text }) => text).join("\n");
  const handled = [
    ...new Set([...all.matchAll(/(?:\bcase\s+|\btype\s*===?\s*)(['"`])([\w:.-]+)\1/g)].map((m) => m[2]!)),
  ];
  const sent = [...new Set([...all.matchAll(/\btype\s*:\s*(['"`])([\w:.-]+)\1/g)].map((m) => m[2]!))];
  const fields = [
    ...new Set(
      [...all.matchAll(/\b(?:msg|message|data|payload|parsed|frame|m)\s*\.\s*([A-Za-z_$][\w$]*)/g)].map(
        (m) => m[1]!,
      ),
    ),
  ];
  const roomKey = fields.find((field) => /room|channel/i.test(field)) ?? "roomId";
  const textKey = fields.find((field) => /^(text|content|body)$/i.test(field)) ?? "text";
  const joinType = handled.find((type) => /join|subscribe|enter/i.test(type));
  const messageType = handled.find((type) => /message|chat|msg|say|send|publish/i.test(type));
  if (joinType) {
    const confirmation = sent.find(
      (type) => type !== joinType && (type.startsWith(joinType) || /joined|subscribed|welcome/i.test(type)),
    );
    draft.join = {
      payload: { type: joinType, [roomKey]: "{{room}}" },
      waitFor: confirmation ? { type: confirmation } : undefined,
    };
  }
  if (messageType) {
    const echoType =
      sent.find((type) => type === messageType) ?? sent.find((type) => /message|chat/i.test(type));
    // A message object nested in the frame (`msg.message`, as in echogate's ws-json shape) carries the id.
    const nested = fields.includes("message");
    draft.send = {
      payload: nested
        ? {
            type: messageType,
            [roomKey]: "{{room}}",
            message: { id: "{{nonce}}", content: "echogate smoke {{nonce}}" },
          }
        : {
            type: messageType,
            [roomKey]: "{{room}}",
            id: "{{nonce}}",
            [textKey]: "echogate smoke {{nonce}}",
          },
    };
    draft.expect = {
      match: {
        ...(echoType ? { type: echoType } : {}),
        ...(nested ? { message: { id: "{{nonce}}" } } : { id: "{{nonce}}" }),
      },
    };
    // The server has to pass the client's id back for the match to hold.
    const forwardsId = /\bid\s*[,}:]|\.\.\.\s*(?:msg|message|data|payload|parsed)\b/.test(all);
    draft.confident = Boolean(draft.join?.waitFor && echoType && forwardsId);
  }
  return draft;
}
