import type { BrowserGateConfig, HostingConfig } from "../config/environment-schema.js";

/** The reference front end's controls (web/public/index.html): what `gate.browser: true` drives. */
const REFERENCE_PAGE: BrowserGateConfig = {
  input: "#content",
  send: "#send button[type=submit]",
  messages: "#messages",
  join: {
    fill: { "#room": "{{room}}", "#peer": "{{client}}" },
    submit: "#join button[type=submit]",
    // The reference stylesheet's `form { display: flex }` shows the form even while [hidden].
    ready: "#send:not([hidden])",
  },
  timeoutMs: 15_000,
};

/** The browser gate an environment asked for (`hosting.gate.browser`), or undefined when off. */
export function browserGateOf(hosting: HostingConfig): BrowserGateConfig | undefined {
  const setting = hosting.gate.browser;
  if (setting === false) return undefined;
  return setting === true ? REFERENCE_PAGE : setting;
}

interface Appearance {
  /** ms from the click on send to the text showing on that page; null = never within the budget. */
  sender: number | null;
  other: number | null;
}

/** One sentence per page for the two checks, and what a failure means for the site's users. */
export function appearanceVerdict(
  appearance: Appearance,
  timeoutMs: number,
): { sender: [ok: boolean, detail: string]; other: [ok: boolean, detail: string] } {
  const { sender, other } = appearance;
  const shown = (ms: number, where: string) => `the message appeared on the ${where} after ${ms} ms`;
  const senderDetail =
    sender !== null
      ? shown(sender, "sending page")
      : other !== null
        ? `the message never appeared on the sending page within ${timeoutMs} ms, though the second page showed it after ${other} ms: users don't see their own messages (the page drops its own sender's message, or the server does not echo it back to the sender)`
        : `the message appeared on neither page within ${timeoutMs} ms`;
  const otherDetail =
    other !== null
      ? shown(other, "second page")
      : sender !== null
        ? `the message never appeared on the second page within ${timeoutMs} ms, though the sending page showed it: other users don't receive messages (the server does not deliver them, or the page renders its own messages without sending)`
        : `the message appeared on neither page within ${timeoutMs} ms`;
  return { sender: [sender !== null, senderDetail], other: [other !== null, otherDetail] };
}
