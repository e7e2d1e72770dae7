import { httpRequest } from "@echogate/common/http-request";
import { GoogleAuth } from "google-auth-library";
import { PlatformError } from "../../core/errors.js";
import type { LogEntry, LogQuery } from "./log-entry.js";

const LOGGING_API = "https://logging.googleapis.com";
const SCOPES = ["https://www.googleapis.com/auth/logging.read"];
const PAGE_SIZE = 1000;
/** One read never pages past this many entries: `--since` narrows a larger window. */
const MAX_ENTRIES = 10_000;

interface CloudLoggingOptions {
  project: string;
  region: string;
  /** The Logging API root; a loopback fake in tests. */
  baseUrl?: string;
  /** An OAuth access token (default: Application Default Credentials). */
  accessToken?: () => Promise<string>;
  signal?: AbortSignal;
}

/** A Cloud Logging v2 LogEntry, the fields read here. */
interface RawEntry {
  insertId?: string;
  timestamp?: string;
  severity?: string;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
  resource?: { labels?: Record<string, string> };
}

/** The filter that selects a Cloud Run revision's (or service's) entries in one region (pure). */
function revisionFilter(query: LogQuery, region: string, after?: string): string {
  const clauses = [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name=${quoted(query.service)}`,
    `resource.labels.location=${quoted(region)}`,
    ...(query.revision ? [`resource.labels.revision_name=${quoted(query.revision)}`] : []),
    ...(after
      ? [`timestamp>=${quoted(after)}`]
      : query.since
        ? [`timestamp>=${quoted(query.since.toISOString())}`]
        : []),
  ];
  return clauses.join(" AND ");
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

/** A LogEntry as one line of text: textPayload, else jsonPayload.message, else the payload as JSON. */
function toLogEntry(raw: RawEntry): LogEntry {
  const json = raw.jsonPayload;
  const text =
    raw.textPayload ??
    (json && typeof json.message === "string" ? json.message : json ? JSON.stringify(json) : "");
  return {
    timestamp: raw.timestamp ?? null,
    severity: raw.severity ?? "DEFAULT",
    revision: raw.resource?.labels?.revision_name ?? "",
    text,
  };
}

/**
 * Reads a revision's entries through the Logging v2 REST API (`POST /v2/entries:list`, oldest
 * first, following `nextPageToken`). Returns them with their insertIds, for a follow to dedupe.
 */
export async function listRevisionLogs(
  query: LogQuery,
  options: CloudLoggingOptions,
  after?: string,
): Promise<{ entries: LogEntry[]; ids: string[] }> {
  const token = options.accessToken ?? adcToken();
  const url = `${(options.baseUrl ?? LOGGING_API).replace(/\/+$/, "")}/v2/entries:list`;
  const entries: LogEntry[] = [];
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const body = {
      resourceNames: [`projects/${options.project}`],
      filter: revisionFilter(query, options.region, after),
      orderBy: "timestamp asc",
      pageSize: PAGE_SIZE,
      ...(pageToken ? { pageToken } : {}),
    };
    const response = await httpRequest(url, {
      method: "POST",
      headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      timeoutMs: 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch((error: Error) => {
      throw new PlatformError("logs.unreachable", `Failed to read Cloud Logging: ${error.message}`, {
        hint: "Check the network (and any HTTPS proxy) to logging.googleapis.com.",
        cause: error,
      });
    });
    if (!response.ok) throw apiError(response.status, response.text, options.project);
    const page = JSON.parse(response.text || "{}") as { entries?: RawEntry[]; nextPageToken?: string };
    for (const raw of page.entries ?? []) {
      entries.push(toLogEntry(raw));
      ids.push(raw.insertId ?? `${raw.timestamp}:${raw.textPayload ?? ""}`);
    }
    pageToken = page.nextPageToken || undefined;
  } while (pageToken && entries.length < MAX_ENTRIES);
  return { entries, ids };
}

/** Prints the entries so far, then polls for new ones (deduped by insertId) until `signal` aborts. */
export async function followRevisionLogs(
  query: LogQuery,
  options: CloudLoggingOptions & { signal: AbortSignal },
  onEntry: (entry: LogEntry) => void,
  intervalMs = 2_000,
): Promise<void> {
  const seen = new Set<string>();
  let after: string | undefined;
  while (!options.signal.aborted) {
    let page: Awaited<ReturnType<typeof listRevisionLogs>>;
    try {
      page = await listRevisionLogs(query, options, after);
    } catch (error) {
      if (options.signal.aborted) return;
      throw error;
    }
    const { entries, ids } = page;
    entries.forEach((entry, i) => {
      if (seen.has(ids[i]!)) return;
      seen.add(ids[i]!);
      onEntry(entry);
      if (entry.timestamp && (!after || entry.timestamp > after)) after = entry.timestamp;
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      options.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

function adcToken(): () => Promise<string> {
  const auth = new GoogleAuth({ scopes: SCOPES });
  return async () => {
    try {
      const token = await auth.getAccessToken();
      if (!token) throw new Error("no access token");
      return token;
    } catch (error) {
      throw new PlatformError(
        "logs.unauthenticated",
        `Failed to get Google credentials: ${(error as Error).message}`,
        {
          hint: "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS in CI.",
          cause: error,
        },
      );
    }
  };
}

function apiError(status: number, text: string, project: string): PlatformError {
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
  } catch {}
  const hint =
    status === 403
      ? `The credentials need roles/logging.viewer on project ${project}.`
      : status === 401
        ? "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS in CI."
        : "See https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list.";
  return new PlatformError("logs.api", `Failed to read Cloud Logging (HTTP ${status}): ${message}`, { hint });
}
