import { type HttpRequestOptions, type HttpResponse, httpRequest } from "@echogate/common/http-request";
import { GoogleAuth } from "google-auth-library";
import { PlatformError } from "../../core/errors.js";
import { ProxyTunnelAgent, proxyFor } from "../../core/proxy-agent.js";
import { sleep } from "../../core/sleep.js";

const FIREBASE_HOSTING_API = "https://firebasehosting.googleapis.com";
const SCOPES = ["https://www.googleapis.com/auth/firebase.hosting"];

/** `google`: Application Default Credentials; `none`: no Authorization header (local emulator). */
type HostingAuth = "google" | "none";

export interface HostingClientOptions {
  baseUrl?: string;
  auth: HostingAuth;
  /** Where HTTPS_PROXY / NO_PROXY are read (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Retries of an upload or a read answered 429, 500, 502, 503 or 504: how many attempts in all, and the first wait (doubling). */
  retry?: { attempts?: number; firstDelayMs?: number };
}

/** The HTTP statuses Google's APIs document as retryable. */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Thin JSON-over-HTTP client for the Firebase Hosting REST API v1beta1; errors become PlatformError (exit 3). */
export class HostingApiClient {
  readonly baseUrl: string;
  private readonly auth: GoogleAuth | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly attempts: number;
  private readonly firstDelayMs: number;
  private readonly tunnels = new Map<string, ProxyTunnelAgent>();

  constructor(options: HostingClientOptions) {
    this.baseUrl = (options.baseUrl ?? FIREBASE_HOSTING_API).replace(/\/+$/, "");
    this.auth = options.auth === "google" ? new GoogleAuth({ scopes: SCOPES }) : undefined;
    this.env = options.env ?? process.env;
    this.attempts = Math.max(1, options.retry?.attempts ?? 5);
    this.firstDelayMs = options.retry?.firstDelayMs ?? 500;
  }

  /** `what` names the operation for messages: "create channel preview-x". */
  async json<T>(method: string, path: string, what: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.baseUrl}/v1beta1/${path}`);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const headers = await this.headers(url);
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await this.send(url, what, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return (response.text ? JSON.parse(response.text) : {}) as T;
  }

  /** POSTs gzipped bytes to `<uploadUrl>/<sha256>` as populateFiles asks. */
  async upload(uploadUrl: string, hash: string, gzipped: Buffer, signal?: AbortSignal): Promise<void> {
    const url = new URL(`${uploadUrl}/${hash}`);
    const headers = await this.headers(url);
    headers["content-type"] = "application/octet-stream";
    await this.send(url, `upload file ${hash.slice(0, 12)}`, {
      method: "POST",
      headers,
      body: gzipped,
      ...(signal ? { signal } : {}),
    });
  }

  private async headers(url: URL): Promise<Record<string, string>> {
    if (!this.auth) return {};
    try {
      const headers: Record<string, string> = {};
      new Headers(await this.auth.getRequestHeaders(url)).forEach((value, name) => {
        headers[name] = value;
      });
      return headers;
    } catch (error) {
      throw new PlatformError(
        "hosting.unauthenticated",
        `Failed to get Google credentials: ${(error as Error).message}`,
        {
          hint: "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS in CI.",
          cause: error,
        },
      );
    }
  }

  /**
   * Uploads (content-addressed, so repeating one is harmless) and reads are retried on Google's
   * retryable statuses with exponential backoff (Retry-After when the answer gives one, capped);
   * other writes are sent once.
   */
  private async send(url: URL, what: string, init: HttpRequestOptions): Promise<HttpResponse> {
    const retryable = init.method === "GET" || what.startsWith("upload ");
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.sendOnce(url, what, init);
      if (response.ok) return response;
      if (!retryable || !RETRYABLE.has(response.status) || attempt >= this.attempts)
        throw apiError(response, what, attempt);
      await sleep(retryDelayMs(response, attempt, this.firstDelayMs), init.signal);
    }
  }

  private async sendOnce(url: URL, what: string, init: HttpRequestOptions): Promise<HttpResponse> {
    try {
      return await httpRequest(url, { ...init, ...this.agentFor(url) });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      const proxy = proxyFor(url, this.env);
      throw new PlatformError(
        "hosting.unreachable",
        `Failed to ${what}: Firebase Hosting at ${url.origin} is unreachable${proxy ? ` through the proxy ${proxy.protocol}//${proxy.host}` : ""}.`,
        {
          hint: proxy
            ? "Check HTTPS_PROXY (and NO_PROXY) and that the proxy allows CONNECT to Google, then retry."
            : "Check the network (or that the local hosting emulator is running) and retry.",
          cause: error,
        },
      );
    }
  }

  /** A tunnel through HTTPS_PROXY for this origin, kept for the client's lifetime; nothing without a proxy. */
  private agentFor(url: URL): { agent?: ProxyTunnelAgent } {
    const proxy = proxyFor(url, this.env);
    if (!proxy) return {};
    const key = proxy.href;
    let agent = this.tunnels.get(key);
    if (!agent) {
      agent = new ProxyTunnelAgent(proxy);
      this.tunnels.set(key, agent);
    }
    return { agent };
  }
}

const MAX_RETRY_DELAY_MS = 30_000;

function retryDelayMs(response: HttpResponse, attempt: number, firstDelayMs: number): number {
  const header = response.headers["retry-after"];
  const seconds = typeof header === "string" && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
  const backoff = firstDelayMs * 2 ** (attempt - 1);
  return Math.min(seconds !== undefined ? seconds * 1000 : backoff, MAX_RETRY_DELAY_MS);
}

function apiError(response: HttpResponse, what: string, attempts = 1): PlatformError {
  let message = response.statusText;
  let status = "";
  try {
    const body = JSON.parse(response.text) as { error?: { message?: string; status?: string } };
    message = body.error?.message ?? message;
    status = body.error?.status ?? "";
  } catch {
    // Non-JSON error bodies (proxies, HTML) keep the status text.
  }
  const code = `hosting.${(status || String(response.status)).toLowerCase().replaceAll("_", "-")}`;
  const tries = attempts > 1 ? `, ${attempts} attempts` : "";
  return new PlatformError(code, `Failed to ${what}: ${message} (HTTP ${response.status}${tries}).`, {
    hint: hintFor(response.status, message),
    details: { httpStatus: response.status, status, attempts },
  });
}

function hintFor(httpStatus: number, message: string): string {
  if (httpStatus === 429 && /channel quota/i.test(message)) {
    return "Delete old previews with `echogate preview cleanup --older-than 7d` and retry.";
  }
  if (httpStatus === 429) return "The Firebase Hosting quota was hit; wait a minute and retry.";
  if (httpStatus === 403) {
    return "The credentials lack Firebase Hosting permissions: grant roles/firebasehosting.admin to the deploying account.";
  }
  if (httpStatus === 401)
    return "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS in CI.";
  if (httpStatus === 404)
    return "Check the site id in environments/<env>.yaml (hosting.site) and that the site exists.";
  if (httpStatus >= 500) return "Firebase Hosting had a server error; retry the command.";
  return "Check the request values above; re-run with --debug for details.";
}
