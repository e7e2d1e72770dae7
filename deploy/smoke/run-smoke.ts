import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { SmokeSpec, SmokeSpecInput } from "../config/smoke-spec.js";
import { checkCors } from "./cors-check.js";
import { runEchoCheck } from "./echo/echo-check.js";
import { checkHealth } from "./health-check.js";
import { parseSmokeSpec } from "./load-spec.js";
import { diagnoseOriginRefusal } from "./origin-check.js";
import { type Placement, placeOnInstances, placeOnRevisions } from "./placement.js";
import { ranCheck, type SmokeCheck, type SmokeProgress, type SmokeResult } from "./result.js";
import { runScenario } from "./scenario/run-scenario.js";
import { parseServiceUrl, type ServiceUrl } from "./service-url.js";
import { roundMs } from "./timing.js";

export interface SmokeOptions {
  /** The version /health must report; promote always passes it. Without it the version is informational. */
  expectVersion?: string;
  /** The revision /health must report, so the gate can't pass by talking to old instances. */
  expectRevision?: string;
  /** Aborting stops the gate promptly (the returned promise rejects with the reason) and closes everything. */
  signal?: AbortSignal;
  /** Connect as a page on this origin would (the Origin header), so a CORS list that leaves it out fails the gate. */
  origin?: string;
  /** `Bearer <identity token>`: sent on every request, to gate a service that is not public yet. */
  authorization?: string;
  onProgress?: (event: SmokeProgress) => void;
  /**
   * `instances`: the service may run several instances; put the clients on at least two (by their
   * /health instance id and affinity cookie) and require the message to cross.
   */
  fanOut?: "instances";
  /** Another revision serving the same users (a canary step): half the clients connect there. */
  peer?: { url: string; revision: string };
  /** Test seam: room and nonce are otherwise random per run. */
  ids?: { room: string; nonce: string };
}

/**
 * The smoke gate: health (version, revision) then the echo check. Gate
 * failures come back as `ok: false` with the checks that say why; it throws
 * only ConfigError (bad URL or spec) and the signal's reason on abort.
 */
export async function runSmoke(
  url: string,
  spec: SmokeSpec | SmokeSpecInput,
  options: SmokeOptions = {},
): Promise<SmokeResult> {
  const service = parseServiceUrl(url);
  const valid = parseSmokeSpec(spec);
  const signal = options.signal ?? NEVER_ABORTED;
  signal.throwIfAborted();
  const ids = options.ids ?? newRunIds();
  const started = performance.now();
  const emit = options.onProgress ?? (() => undefined);
  const result: SmokeResult = {
    ok: false,
    url: service.origin,
    protocol: valid.echo.protocol,
    version: null,
    revision: null,
    expectVersion: options.expectVersion ?? null,
    expectRevision: options.expectRevision ?? null,
    room: ids.room,
    nonce: ids.nonce,
    ms: 0,
    checks: [],
    scenarios: [],
    latencies: { healthMs: null, connectMs: {}, joinMs: {}, echoMs: {} },
    notices: [],
  };
  const record = (check: SmokeCheck) => {
    result.checks.push(check);
    emit({ type: "check.done", check });
  };

  emit({ type: "check.start", check: "health" });
  const health = await checkHealth(service, valid.health, {
    expectVersion: options.expectVersion,
    expectRevision: options.expectRevision,
    authorization: options.authorization,
    // Health and echo take no signal when nothing can abort the run: no listener to add and remove.
    signal: options.signal,
    onRetry: (attempt, error, delayMs) => emit({ type: "health.retry", attempt, error, delayMs }),
  });
  result.version = health.version;
  result.revision = health.revision;
  result.latencies.healthMs = health.ms;
  result.notices.push(...health.notices);
  record({
    name: "health",
    ok: health.ok,
    status: health.ok ? "passed" : "failed",
    ms: health.ms,
    detail: health.detail,
  });

  const cors = health.ok
    ? await checkCors(service, valid.echo, options.origin, { authorization: options.authorization, signal })
    : undefined;
  if (cors) record(cors);

  const placement = health.ok
    ? await placeClients(service, valid, health.revision, options, signal)
    : undefined;
  if (placement?.ok && placement.notice) result.notices.push(placement.notice);
  if (placement && !placement.ok) {
    record({ name: "connect", ok: false, status: "failed", ms: 0, detail: placement.detail });
    for (const name of valid.echo.join ? (["join", "echo"] as const) : (["echo"] as const)) {
      record({
        name,
        ok: false,
        status: "skipped",
        ms: 0,
        detail: "skipped: the clients could not be placed",
      });
    }
  } else if (health.ok) {
    const echo = await runEchoCheck(service, valid.echo, {
      ...(placement?.ok && placement.targets.length > 0 ? { targets: placement.targets } : {}),
      room: ids.room,
      nonce: ids.nonce,
      signal: options.signal,
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
      onCheckStart: (check) => emit({ type: "check.start", check }),
      onCheck: record,
    });
    Object.assign(result.latencies, { connectMs: echo.connectMs, joinMs: echo.joinMs, echoMs: echo.echoMs });
    if (options.origin && echo.refusedStatus !== undefined) {
      const refusal = await diagnoseOriginRefusal(service, valid.echo, options.origin, echo.refusedStatus, {
        authorization: options.authorization,
        signal,
      });
      if (refusal) record(refusal);
    }
  } else {
    for (const name of valid.echo.join
      ? (["connect", "join", "echo"] as const)
      : (["connect", "echo"] as const)) {
      record({ name, ok: false, status: "skipped", ms: 0, detail: "skipped: the health check failed" });
    }
  }
  const targets = placement?.ok ? placement.targets : undefined;
  for (const [index, scenario] of valid.scenarios.entries()) {
    const name = `scenario ${scenario.name}` as const;
    if (!health.ok) {
      record({ name, ok: false, status: "skipped", ms: 0, detail: "skipped: the health check failed" });
      continue;
    }
    emit({ type: "check.start", check: name });
    const outcome = await runScenario(scenario, {
      service,
      echo: valid.echo,
      nonce: `${ids.nonce}-s${index + 1}`,
      room: `${ids.room}-${scenario.name}`,
      signal,
      ...(targets ? { targets } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
    });
    result.scenarios.push(outcome);
    const passed = outcome.steps.filter((step) => step.status === "passed").length;
    record(
      ranCheck(
        name,
        outcome.ok,
        outcome.ms,
        outcome.diagnosis ??
          `${passed} steps passed${scenario.description ? `: ${scenario.description}` : ""}`,
      ),
    );
  }
  result.ms = roundMs(performance.now() - started);
  result.ok = result.checks.every((check) => check.ok);
  return result;
}

/**
 * The signal of a run nobody can abort, for the steps that need one (CORS, placement, origin,
 * scenarios): one for every such run rather than an AbortController each (a measurable share of a
 * 3 ms gate). Phases hold one listener on it while they last.
 */
const NEVER_ABORTED = new AbortController().signal;
setMaxListeners(0, NEVER_ABORTED);

function newRunIds(): { room: string; nonce: string } {
  // 48 random bits, as hex; randomUUID draws from a cached pool, randomBytes asks the OS each time.
  const random = randomUUID().replaceAll("-", "").slice(0, 12);
  return { room: `echogate-smoke-${random}`, nonce: `${Date.now().toString(36)}-${random}` };
}

async function placeClients(
  service: ServiceUrl,
  spec: SmokeSpec,
  revision: string | null,
  options: SmokeOptions,
  signal: AbortSignal,
): Promise<Placement | undefined> {
  if (options.peer) {
    const targets = placeOnRevisions({ service, revision }, options.peer);
    return { ok: true, targets, detail: "clients on the candidate and the previous revision" };
  }
  if (options.fanOut === "instances")
    return placeOnInstances(service, spec.health, spec.echo.clients, signal);
  return undefined;
}
