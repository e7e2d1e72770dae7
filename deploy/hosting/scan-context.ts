// Pure: whether an address found in a web build is used as a connection target, from the bytes
// around it. A bundle is full of loopback and LAN addresses that connect to nothing: comparisons
// (`"localhost"===location.hostname`), log text, lists of addresses a page treats as local. Only
// a URL literal (`"http://localhost:3001"`, `` `ws://10.0.0.7/${path}` ``) or a bare host handed to
// a connection call (`io("localhost:3001")`) is a place the browser would actually connect to.

/** How a loopback or private address is used: as a URL or a connection call's argument, or not. */
export type AddressUse = "url" | "call" | undefined;

/** String methods whose argument is compared, not connected to. */
const COMPARING_CALLS = new Set(["startswith", "endswith", "includes", "indexof", "test", "match"]);

/** Functions whose first argument is where the browser connects (lower-cased, as the scan reads). */
const CONNECTING_CALLS = new Set(["io", "connect", "websocket", "eventsource", "fetch", "lookup"]);

const QUOTE = new Set([34, 39, 96]); // " ' `
const BACKSLASH = 92;
const SLASH = 47;
const COLON = 58;
const CLOSE_BRACE = 125; // } ending a template-literal expression: `${scheme}//host`
const PLUS = 43;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const EQUALS = 61;
const BANG = 33;

const isQuote = (byte: number | undefined) => byte !== undefined && QUOTE.has(byte);
const isSpace = (byte: number | undefined) => byte === 32 || byte === 9 || byte === 10 || byte === 13;
const isAngle = (byte: number | undefined) => byte === 60 || byte === 62;
const isSchemeByte = (byte: number | undefined) =>
  byte !== undefined &&
  ((byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte === 43 || byte === 45 || byte === 46);
const isIdentifierByte = (byte: number | undefined) =>
  byte !== undefined &&
  ((byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte === 95 || byte === 36);

/**
 * `bytes` is the lower-cased file, `start`–`end` the address with its port. A URL counts when its
 * literal begins with it (a quote, or a template expression, right before the scheme) and ends
 * with it (the URL's path runs to a closing quote): a URL inside a sentence is text.
 */
export function addressUse(bytes: Buffer, start: number, end: number): AddressUse {
  const slashes = slashesBefore(bytes, start);
  if (slashes !== undefined) {
    const urlStart = literalStartOfUrl(bytes, slashes);
    const close = urlStart === undefined ? undefined : closingQuoteOfUrl(bytes, end);
    if (urlStart === undefined || close === undefined) return undefined;
    return compared(bytes, urlStart - 1, close) ? undefined : "url";
  }
  const open = start - 1;
  if (!isQuote(bytes[open]) || bytes[end] !== bytes[open]) return undefined;
  if (schemeLiteralConcatenated(bytes, open)) return "url";
  return connectingCallBefore(bytes, open) ? "call" : undefined;
}

/**
 * The literal between `open` and `close` is compared with something, not connected to:
 * `"http://localhost:3000"===location.origin`, `x!=="…"`, `url.startsWith("…")`.
 */
function compared(bytes: Buffer, open: number, close: number): boolean {
  let after = close + 1;
  while (isSpace(bytes[after])) after++;
  if ((bytes[after] === EQUALS || bytes[after] === BANG) && bytes[after + 1] === EQUALS) return true;
  const before = skipSpaceBack(bytes, open - (bytes[open - 1] === BACKSLASH ? 2 : 1));
  if (bytes[before] === EQUALS && (bytes[before - 1] === EQUALS || bytes[before - 1] === BANG)) return true;
  if (bytes[before] !== OPEN_PAREN) return false;
  return COMPARING_CALLS.has(identifierBefore(bytes, before - 1));
}

/** Start of `//` (or JSON's `\/\/`) ending right before `at`, if there is one. */
function slashesBefore(bytes: Buffer, at: number): number | undefined {
  if (bytes[at - 1] === SLASH && bytes[at - 2] === SLASH) return at - 2;
  if (
    bytes[at - 1] === SLASH &&
    bytes[at - 2] === BACKSLASH &&
    bytes[at - 3] === SLASH &&
    bytes[at - 4] === BACKSLASH
  )
    return at - 4;
  return undefined;
}

/** Where the URL's literal opens, when the `//` at `slashes` starts it (scheme or not); else undefined. */
function literalStartOfUrl(bytes: Buffer, slashes: number): number | undefined {
  let at = slashes;
  if (bytes[at - 1] === COLON) {
    at--;
    while (at > 0 && isSchemeByte(bytes[at - 1])) at--;
    // `${protocol}://host`: the scheme comes from an expression.
    if (at === slashes - 1 && bytes[at - 1] !== CLOSE_BRACE) return undefined;
  }
  // A quote (escaped too: `\"` in JSON or a serialized payload) or a template expression.
  return isQuote(bytes[at - 1]) || bytes[at - 1] === CLOSE_BRACE ? at : undefined;
}

/** The closing quote the URL's path runs to with no space in between (a space means prose). */
function closingQuoteOfUrl(bytes: Buffer, end: number): number | undefined {
  let at = end;
  while (at < bytes.length && !isQuote(bytes[at]) && !isSpace(bytes[at]) && !isAngle(bytes[at])) at++;
  return isQuote(bytes[at]) ? at : undefined;
}

/** `"ws://" + "localhost:3001"`: a scheme literal joined to a bare host literal. */
function schemeLiteralConcatenated(bytes: Buffer, open: number): boolean {
  let at = skipSpaceBack(bytes, open - 1);
  if (bytes[at] !== PLUS) return false;
  at = skipSpaceBack(bytes, at - 1);
  if (!isQuote(bytes[at])) return false;
  return slashesBefore(bytes, at) !== undefined;
}

/** `io("localhost:3001")`, `(0,n.io)("…")`, `new WebSocket("…")`: the literal is a connecting call's first argument. */
function connectingCallBefore(bytes: Buffer, open: number): boolean {
  const at = skipSpaceBack(bytes, open - 1);
  if (bytes[at] !== OPEN_PAREN) return false;
  return CONNECTING_CALLS.has(identifierBefore(bytes, at - 1));
}

/** The callee's last name before `(`: `io` in `io(`, `(0,n.io)(` and `new WebSocket(`. */
function identifierBefore(bytes: Buffer, from: number): string {
  let at = skipSpaceBack(bytes, from);
  if (bytes[at] === CLOSE_PAREN) at--;
  const end = at + 1;
  while (at >= 0 && isIdentifierByte(bytes[at])) at--;
  return bytes.toString("latin1", at + 1, end);
}

function skipSpaceBack(bytes: Buffer, from: number): number {
  let at = from;
  while (at >= 0 && isSpace(bytes[at])) at--;
  return at;
}
