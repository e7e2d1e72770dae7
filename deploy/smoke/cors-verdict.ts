/**
 * CORS as a browser judges it (the Fetch standard's CORS and preflight checks), for the requests a
 * Socket.IO browser client makes when it long-polls: a GET for each poll and the handshake, a POST
 * (`content-type: text/plain;charset=UTF-8`, a simple request) for each send. Pure: answers in,
 * verdicts out.
 */

/** What the page's client adds to every polling request: the browser's view of it. */
export interface CorsClient {
  /** The page's origin, sent as Origin. */
  origin: string;
  /** `withCredentials: true`: cookies go with the requests, and the answers must allow that. */
  credentials: boolean;
  /** Header names the page's client adds (Socket.IO `extraHeaders`) that are not CORS-safelisted. */
  unsafeHeaders: readonly string[];
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Problems, empty when a browser would let the page read the answer. */
export type CorsProblems = string[];

const SAFE_VALUE = /^[0-9A-Za-z *,\-.;=]*$/;
const SIMPLE_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

/** Whether a browser sends `name: value` without a preflight (the Fetch standard's CORS-safelisted request headers). */
function safelisted(name: string, value: string): boolean {
  const unsafeByte = [...value].some(
    (char) => (char < " " && char !== "\t") || char === "\x7f" || '"():<>?@[\\]{}'.includes(char),
  );
  switch (name.toLowerCase()) {
    case "accept":
      return !unsafeByte;
    case "accept-language":
    case "content-language":
      return SAFE_VALUE.test(value);
    case "content-type": {
      const essence = value.split(";")[0]!.trim().toLowerCase();
      return !unsafeByte && SIMPLE_CONTENT_TYPES.includes(essence);
    }
    default:
      return false;
  }
}

/** The page's extra headers a browser must preflight, lower-cased and sorted as it sends them. */
export function preflightHeaderNames(extraHeaders: Readonly<Record<string, string>>): string[] {
  return Object.entries(extraHeaders)
    .filter(([name, value]) => !safelisted(name, value))
    .map(([name]) => name.toLowerCase())
    .sort();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The CORS check on any answer: a polling GET's or POST's, or a preflight's. */
export function requestProblems(client: CorsClient, headers: Headers): CorsProblems {
  const allowOrigin = single(headers["access-control-allow-origin"]);
  const problems: CorsProblems = [];
  if (allowOrigin === undefined) problems.push("no Access-Control-Allow-Origin");
  else if (allowOrigin === "*" && client.credentials)
    problems.push(
      "Access-Control-Allow-Origin is * but the client sends credentials (withCredentials: true), which needs the exact origin",
    );
  else if (allowOrigin !== "*" && allowOrigin !== client.origin)
    problems.push(`Access-Control-Allow-Origin is ${allowOrigin}, not ${client.origin}`);
  if (client.credentials && single(headers["access-control-allow-credentials"]) !== "true")
    problems.push("no Access-Control-Allow-Credentials: true, which withCredentials: true needs");
  return problems;
}

/** What a browser makes of the answer to its preflight (OPTIONS) before a polling request. */
export function preflightProblems(client: CorsClient, status: number, headers: Headers): CorsProblems {
  if (status < 200 || status > 299) return [`the preflight answered HTTP ${status}`];
  const problems = requestProblems(client, headers);
  const allowed = (single(headers["access-control-allow-headers"]) ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  // `*` covers any header but Authorization, and only for requests without credentials.
  const wildcard = allowed.includes("*") && !client.credentials;
  const missing = client.unsafeHeaders.filter(
    (name) => !allowed.includes(name) && !(wildcard && name !== "authorization"),
  );
  if (missing.length > 0)
    problems.push(
      `Access-Control-Allow-Headers ${allowed.length > 0 ? `(${allowed.join(", ")}) ` : ""}does not allow ${missing.join(", ")}`,
    );
  return problems;
}

/** What the server should change, in the words of its Socket.IO `cors` option. */
export function corsRemedy(client: CorsClient): string {
  const options = [
    `origin: ["${client.origin}"]`,
    ...(client.credentials ? ["credentials: true"] : []),
    ...(client.unsafeHeaders.length > 0
      ? [`allowedHeaders: [${client.unsafeHeaders.map((name) => `"${name}"`).join(", ")}]`]
      : []),
  ];
  return `allow ${client.origin} in the server's CORS settings (e.g. ALLOWED_ORIGINS; Socket.IO: cors: { ${options.join(", ")} })`;
}
