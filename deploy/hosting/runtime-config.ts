import type { SmokeProtocol } from "../config/smoke-spec.js";
import { type SiteFile, siteFile } from "./site-files.js";

export const RUNTIME_CONFIG_PATH = "/echogate.json";

/** `/echogate.json`: what a promotable web build reads at runtime to find its server. */
export interface RuntimeConfig {
  environment: string;
  /** WebSocket URL of this environment's realtime server (ws:// or wss://). */
  serverUrl: string;
  /** The server's realtime protocol, as the environment's smoke spec declares it. */
  protocol: SmokeProtocol;
  /** The environment's `public: true` variables, as the env file sets them. */
  public: Record<string, string>;
}

/** http(s) → ws(s); ws URLs pass through. */
function toWebSocketUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === "https:") parsed.protocol = "wss:";
  else if (parsed.protocol === "http:") parsed.protocol = "ws:";
  return parsed.toString().replace(/\/$/, "");
}

export function toHttpUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === "wss:") parsed.protocol = "https:";
  else if (parsed.protocol === "ws:") parsed.protocol = "http:";
  return parsed.toString().replace(/\/$/, "");
}

export function buildRuntimeConfig(input: {
  environment: string;
  serverUrl: string;
  protocol: SmokeProtocol;
  publicVars: Record<string, string>;
}): RuntimeConfig {
  const sorted = Object.fromEntries(Object.entries(input.publicVars).sort(([a], [b]) => a.localeCompare(b)));
  return {
    environment: input.environment,
    serverUrl: toWebSocketUrl(input.serverUrl),
    protocol: input.protocol,
    public: sorted,
  };
}

export function runtimeConfigFile(config: RuntimeConfig): SiteFile {
  return siteFile(RUNTIME_CONFIG_PATH, Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
}

export function parseRuntimeConfig(text: string): RuntimeConfig | undefined {
  try {
    const value = JSON.parse(text) as Partial<RuntimeConfig>;
    if (typeof value.serverUrl !== "string" || typeof value.environment !== "string") return undefined;
    return {
      environment: value.environment,
      serverUrl: value.serverUrl,
      protocol: value.protocol === "socket.io" ? "socket.io" : "ws-json",
      public: value.public ?? {},
    };
  } catch {
    return undefined;
  }
}

/** Same server if scheme family, host and port agree (ws/http and wss/https are the same endpoint). */
export function sameServer(a: string, b: string): boolean {
  try {
    const left = new URL(toHttpUrl(a));
    const right = new URL(toHttpUrl(b));
    return left.protocol === right.protocol && left.host === right.host;
  } catch {
    return false;
  }
}
