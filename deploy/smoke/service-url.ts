import { ConfigError } from "../core/errors.js";
import { REDACTED } from "../core/redact.js";

export interface ServiceUrl {
  /** `scheme://host[:port]`, no trailing slash. */
  origin: string;
  secure: boolean;
}

const HINT =
  "Pass the service's base URL, e.g. https://chat-staging-xyz.a.run.app; the spec gives the paths.";

/**
 * Credentials in the URL, to register with the Redactor before anything can
 * print it. Never throws: an unparsable URL has nothing to extract.
 */
export function urlSecrets(raw: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(raw.trim());
  if (!match) return [];
  const userinfo = match[1]!;
  const [user = "", password = ""] = userinfo.split(":", 2);
  return [userinfo, user, password, safeDecode(user), safeDecode(password)].filter(Boolean);
}

/** The URL with credentials and query masked: the only form errors may show. */
export function displayUrl(raw: string): string {
  return raw
    .trim()
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`)
    .replace(/([?#]).*$/, `$1${REDACTED}`);
}

/** Accepts only a base URL: http(s), a host, no credentials, path, query or fragment. */
export function parseServiceUrl(raw: string): ServiceUrl {
  const refuse = (why: string, hint = HINT) =>
    new ConfigError("smoke.url", `Can't smoke-test ${displayUrl(raw)}: ${why}.`, {
      hint,
      details: { keyPath: "url" },
    });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw refuse("it is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw refuse(
      `the scheme is ${url.protocol.slice(0, -1)}, not http or https`,
      "Give the http(s) base URL; the gate derives ws(s):// for WebSockets itself.",
    );
  }
  if (url.username || url.password) {
    throw refuse(
      "the URL contains credentials",
      "Remove user:password from the URL; the gate talks to the service like an anonymous client.",
    );
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    throw refuse(`the URL has a path (${url.pathname})`, `${HINT} Set health.path / echo.path in the spec.`);
  }
  if (url.search || raw.includes("?")) throw refuse("the URL has a query string");
  if (url.hash || raw.includes("#")) throw refuse("the URL has a fragment");
  return { origin: url.origin, secure: url.protocol === "https:" };
}

/** http(s) base + path → ws(s) URL for a WebSocket client. */
export function webSocketUrl(service: ServiceUrl, path: string): string {
  return `${service.origin.replace(/^http/, "ws")}${path}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
