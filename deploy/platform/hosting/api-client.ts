import { GoogleAuth } from "google-auth-library";
import { PlatformError } from "../../core/errors.js";
import { type HttpRequestOptions, type HttpResponse, httpRequest } from "../../core/http-request.js";

const FIREBASE_HOSTING_API = "https://firebasehosting.googleapis.com";
const SCOPES = ["https://www.googleapis.com/auth/firebase.hosting"];

/** `google`: Application Default Credentials; `none`: no Authorization header (local emulator). */
type HostingAuth = "google" | "none";

export interface HostingClientOptions {
  baseUrl?: string;
  auth: HostingAuth;
}

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Thin JSON-over-HTTP client for the Firebase Hosting REST API v1beta1; errors become PlatformError (exit 3). */
export class HostingApiClient {
  readonly baseUrl: string;
  private readonly auth: GoogleAuth | undefined;

  constructor(options: HostingClientOptions) {
    this.baseUrl = (options.baseUrl ?? FIREBASE_HOSTING_API).replace(/\/+$/, "");
    this.auth = options.auth === "google" ? new GoogleAuth({ scopes: SCOPES }) : undefined;
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

  private async send(url: URL, what: string, init: HttpRequestOptions): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await httpRequest(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      throw new PlatformError(
        "hosting.unreachable",
        `Failed to ${what}: Firebase Hosting at ${url.origin} is unreachable.`,
        {
          hint: "Check the network (or that the local hosting emulator is running) and retry.",
          cause: error,
        },
      );
    }
    if (!response.ok) throw apiError(response, what);
    return response;
  }
}

function apiError(response: HttpResponse, what: string): PlatformError {
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
  return new PlatformError(code, `Failed to ${what}: ${message} (HTTP ${response.status}).`, {
    hint: hintFor(response.status, message),
    details: { httpStatus: response.status, status },
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
