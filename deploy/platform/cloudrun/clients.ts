// The two clients echogate uses, imported on their own: the package index loads every v2 client
// (jobs, executions, tasks, builds, …), which the CLI would otherwise parse on every Cloud Run call.
import { RevisionsClient } from "@google-cloud/run/build/src/v2/revisions_client.js";
import { ServicesClient } from "@google-cloud/run/build/src/v2/services_client.js";
import { PassThroughClient } from "google-auth-library";
import {
  type IdentityTokenOptions,
  type IdentityTokenSource,
  identityTokenSource,
} from "./identity-token.js";

export type CloudRunTarget = { kind: "google" } | { kind: "emulator"; apiEndpoint: string };

export interface CloudRunClients {
  readonly services: ServicesClient;
  readonly revisions: RevisionsClient;
  /** ID tokens for calling a service that is not public (the gate before it is). */
  identityToken: IdentityTokenSource;
  close(): Promise<void>;
}

type ClientOptions = NonNullable<ConstructorParameters<typeof ServicesClient>[0]>;

/**
 * The one way echogate talks to Cloud Run: the official v2 clients over the REST transport.
 * For the emulator only the endpoint and the auth client differ; the wire format is identical.
 * Each client is built on first use: building one parses the Admin API descriptors (tens of ms),
 * and many commands (status of a service that has a gate record, drift of one service) use one.
 */
export function createCloudRunClients(
  target: CloudRunTarget,
  identity: IdentityTokenOptions = {},
): CloudRunClients {
  const options = clientOptions(target);
  let services: ServicesClient | undefined;
  let revisions: RevisionsClient | undefined;
  return {
    get services() {
      services ??= new ServicesClient(options);
      return services;
    },
    get revisions() {
      revisions ??= new RevisionsClient(options);
      return revisions;
    },
    identityToken: identityTokenSource(target, identity),
    async close() {
      await Promise.all([services?.close(), revisions?.close()]);
    },
  };
}

function clientOptions(target: CloudRunTarget): ClientOptions {
  if (target.kind === "google") return { fallback: true };
  const url = new URL(target.apiEndpoint);
  if (url.protocol !== "http:")
    throw new Error(`Emulator endpoint must be http://, got '${target.apiEndpoint}'.`);
  return {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: "http",
    // google-gax accepts any auth object with getRequestHeaders() and sends every request through its
    // fetch(); PassThroughClient adds no Authorization header. The cast bridges google-gax's own
    // nested copy of google-auth-library types.
    authClient: new PassThroughClient(),
  } as unknown as ClientOptions;
}

export interface CloudRunApiError {
  /** HTTP status, e.g. 409. */
  httpStatus: number;
  /** Google status name, e.g. "ABORTED", "NOT_FOUND". */
  status: string;
  message: string;
  details: unknown[];
}

/**
 * Reads a failed call's Google error body. Over the REST transport google-gax lets the auth
 * client's fetch (gaxios) throw on non-2xx, so errors arrive as GaxiosError whose message is the
 * raw `{ error: { code, message, status } }` body: the same against Google and the emulator.
 * Errors that went through google-gax's own decoding (GoogleError) are read too.
 */
export function cloudRunErrorOf(error: unknown): CloudRunApiError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as {
    message?: unknown;
    status?: unknown;
    code?: unknown;
    response?: { data?: unknown; status?: number };
  };
  for (const candidate of [e.response?.data, e.message]) {
    const body = typeof candidate === "string" ? safeJson(candidate) : candidate;
    const inner = (body as { error?: Record<string, unknown> } | undefined)?.error;
    if (inner && typeof inner.message === "string") {
      return {
        httpStatus: Number(inner.code ?? e.response?.status ?? e.status ?? 0),
        status: String(inner.status ?? ""),
        message: inner.message,
        details: Array.isArray(inner.details) ? inner.details : [],
      };
    }
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
