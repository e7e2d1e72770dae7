import { HttpRequestError, isTlsError } from "@echogate/common/http-request";
import type { HealthSpec } from "../config/smoke-spec.js";
import { sleep } from "../core/sleep.js";
import { httpGet } from "./http-get.js";
import type { ServiceUrl } from "./service-url.js";
import { valueAtPath } from "./subset-match.js";
import { backoffDelay, roundMs } from "./timing.js";

/** One slow attempt must not eat the whole cold-start budget. */
const MAX_ATTEMPT_MS = 10_000;
const MIN_ATTEMPT_MS = 50;

interface HealthOptions {
  expectVersion?: string | undefined;
  expectRevision?: string | undefined;
  /** None when nothing can abort the check. */
  signal?: AbortSignal | undefined;
  /** `Bearer <identity token>` for a service that is not public yet. */
  authorization?: string | undefined;
  onRetry?: (attempt: number, error: string, delayMs: number) => void;
  random?: () => number;
}

interface HealthOutcome {
  ok: boolean;
  /** What the server's /health leaves out that the gate would check (a passing gate still says so). */
  notices: string[];
  ms: number;
  detail: string;
  version: string | null;
  revision: string | null;
  attempts: number;
}

/** `retry`: worth asking again (cold start, not routed yet); `final`: the answer won't change. */
type Attempt =
  | { kind: "pass"; detail: string; version: string | null; revision: string | null; notices: string[] }
  | { kind: "final"; detail: string; version: string | null; revision: string | null }
  | { kind: "retry"; error: string };

const RETRY_STATUSES = new Set([404, 408, 425, 429]);

/** GET the health path until it answers as required, retrying with backoff inside `spec.timeoutMs`. */
export async function checkHealth(
  service: ServiceUrl,
  spec: HealthSpec,
  options: HealthOptions,
): Promise<HealthOutcome> {
  const url = `${service.origin}${spec.path}`;
  const started = performance.now();
  const deadline = started + spec.timeoutMs;
  let attempts = 0;
  let lastError = "no attempt made";
  for (;;) {
    attempts += 1;
    const remaining = deadline - performance.now();
    const attempt = await attemptOnce(
      url,
      spec,
      options,
      Math.max(1, Math.round(Math.min(remaining, MAX_ATTEMPT_MS))),
    );
    const ms = roundMs(performance.now() - started);
    if (attempt.kind !== "retry") {
      const suffix = attempts > 1 ? ` (after ${attempts} attempts)` : "";
      return {
        ok: attempt.kind === "pass",
        notices: attempt.kind === "pass" ? attempt.notices : [],
        ms,
        detail: `${attempt.detail}${suffix}`,
        version: attempt.version,
        revision: attempt.revision,
        attempts,
      };
    }
    lastError = attempt.error;
    const delay = backoffDelay(attempts, undefined, options.random);
    // An attempt squeezed into the last few ms could only time out and hide the real last error.
    if (deadline - performance.now() - delay < MIN_ATTEMPT_MS) break;
    options.onRetry?.(attempts, lastError, delay);
    await sleep(delay, options.signal);
  }
  return {
    ok: false,
    notices: [],
    ms: roundMs(performance.now() - started),
    detail: `GET ${spec.path} gave no usable answer within ${spec.timeoutMs} ms (${attempts} attempt${attempts === 1 ? "" : "s"}); last error: ${lastError}${lastError.startsWith("HTTP 404") ? `. A 404 until the end means the server has no route at ${spec.path}: add one (see docs/server-contract.md) or set smoke.health.path to the route it has` : ""}`,
    version: null,
    revision: null,
    attempts,
  };
}

async function attemptOnce(
  url: string,
  spec: HealthSpec,
  options: HealthOptions,
  timeoutMs: number,
): Promise<Attempt> {
  let answer: Awaited<ReturnType<typeof httpGet>>;
  try {
    answer = await httpGet(url, timeoutMs, options.signal, undefined, options.authorization);
  } catch (error) {
    if (!(error instanceof HttpRequestError)) throw error;
    if (isTlsError(error.code) || error.code === "ENOTFOUND") {
      return {
        kind: "final",
        detail: `Failed to reach ${spec.path}: ${error.message}`,
        version: null,
        revision: null,
      };
    }
    return { kind: "retry", error: error.message };
  }
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ""}`;
  if (answer.status >= 500 || RETRY_STATUSES.has(answer.status)) return { kind: "retry", error: status };
  const final = (detail: string, version: string | null = null, revision: string | null = null): Attempt => ({
    kind: "final",
    detail,
    version,
    revision,
  });
  if (answer.status < 200 || answer.status >= 300) return final(`GET ${spec.path} answered ${status}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return final(
      `GET ${spec.path} answered ${status} but the body is not JSON (content-type ${answer.contentType || "none"})`,
    );
  }
  const version = stringAt(body, spec.versionField);
  const revision = stringAt(body, spec.revisionField);
  const parts: string[] = [];
  if (options.expectVersion !== undefined) {
    if (version === null) {
      return final(
        `GET ${spec.path} has no "${spec.versionField}" field (health.versionField); expected ${options.expectVersion} — the server should report there the APP_VERSION its build bakes into its env (docs/server-contract.md)`,
        null,
        revision,
      );
    }
    if (version !== options.expectVersion) {
      return final(
        `version mismatch: ${spec.path} field "${spec.versionField}" (health.versionField) reports ${version}, expected ${options.expectVersion} — either this URL serves another build, or the server reports a fixed version instead of the APP_VERSION its build bakes into its env (docs/server-contract.md)`,
        version,
        revision,
      );
    }
    parts.push(`version ${version} as expected`);
  } else {
    parts.push(
      version === null
        ? `no ${spec.versionField} in the body (not checked: no expected version)`
        : `version ${version} (not checked: no expected version)`,
    );
  }
  const notices: string[] = [];
  if (options.expectRevision !== undefined && revision === null) {
    // `revision` is optional in the contract: checked when the server reports it, said when it doesn't.
    parts.push(`no "${spec.revisionField}" field, revision not checked`);
    notices.push(
      `${spec.path} reports no "${spec.revisionField}" (health.revisionField), so the gate can't confirm it talked to revision ${options.expectRevision}, not an older one: report the K_REVISION Cloud Run passes in the env (docs/server-contract.md).`,
    );
  } else if (options.expectRevision !== undefined) {
    if (revision !== options.expectRevision) {
      return final(
        `revision mismatch: ${spec.path} field "${spec.revisionField}" (health.revisionField) reports ${revision}, expected ${options.expectRevision} — the gate is not talking to the revision it should prove, or the server doesn't report the K_REVISION Cloud Run passes in its env`,
        version,
        revision,
      );
    }
    parts.push(`revision ${revision} as expected`);
  } else if (revision !== null) {
    parts.push(`revision ${revision}`);
  }
  return { kind: "pass", detail: parts.join("; "), version, revision, notices };
}

function stringAt(body: unknown, path: string): string | null {
  const value = valueAtPath(body, path);
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}
