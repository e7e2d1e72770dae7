import type {
  BurstStep,
  EmitStep,
  ExpectNoneStep,
  ExpectStep,
  HttpStep,
  ScenarioSpec,
  ScenarioStep,
  StepKind,
} from "../../config/scenario-spec.js";
import { stepClients, stepKind } from "../../config/scenario-spec.js";
import type { EchoSpec } from "../../config/smoke-spec.js";
import { expandWith, templatesIn } from "../../config/smoke-templates.js";
import { messageOf } from "../../core/errors.js";
import { sleep } from "../../core/sleep.js";
import type { Connector, EchoConnection, Inbound } from "../echo/connection.js";
import { summarizeMessage } from "../echo/diagnose.js";
import { Inbox } from "../echo/inbox.js";
import { startPhase } from "../echo/phase.js";
import { connectSocketIo } from "../echo/socket-io.js";
import { connectWsJson } from "../echo/ws-json.js";
import type { ClientTarget } from "../placement.js";
import { type ServiceUrl, webSocketUrl } from "../service-url.js";
import { valueAtPath } from "../subset-match.js";
import { roundMs } from "../timing.js";
import { analyzeBurst, type BurstArrival, describeBurst } from "./burst-analysis.js";
import { ClientState } from "./client-state.js";
import { diagnoseMiss, diagnoseUnwanted } from "./diagnose.js";
import { callHttp } from "./http-call.js";
import { captureFrom, closestMiss, describeMatcher, type MessageMatcher, matchesMessage } from "./matcher.js";
import { explainMismatch } from "./mismatch.js";
import type { ScenarioResult, ScenarioStepResult } from "./result.js";

interface ScenarioRunOptions {
  service: ServiceUrl;
  /** Protocol, path, transports and the default step budget come from the echo check's spec. */
  echo: Pick<EchoSpec, "protocol" | "path" | "transports" | "timeoutMs">;
  nonce: string;
  room: string;
  signal: AbortSignal;
  origin?: string;
  authorization?: string;
  /** Where each client connects (by its order in `clients:`); the service itself when absent. */
  targets?: readonly ClientTarget[];
}

const connectors: Record<EchoSpec["protocol"], Connector> = {
  "ws-json": connectWsJson,
  "socket.io": connectSocketIo,
};

/** A step's failure: the words of the diagnosis. */
class StepFailure extends Error {}

class ScenarioTimeout extends Error {}

/** Runs one scenario's steps in order until the first failure; closes every connection it opened. */
export async function runScenario(
  scenario: ScenarioSpec,
  options: ScenarioRunOptions,
): Promise<ScenarioResult> {
  const started = performance.now();
  const vars = new Map<string, unknown>([
    ["nonce", options.nonce],
    ["room", options.room],
  ]);
  const names = Object.keys(scenario.clients);
  const clients = new Map(names.map((name) => [name, new ClientState(name, scenario.clients[name]!)]));
  const run = startPhase(options.signal, names.length, {
    ms: scenario.timeoutMs,
    reason: () => new ScenarioTimeout(`the scenario's ${scenario.timeoutMs} ms budget ran out`),
  });
  const steps: ScenarioStepResult[] = [];
  let diagnosis: string | null = null;
  const context: StepContext = {
    scenario,
    options,
    vars,
    clients,
    names,
    signal: run.signal,
    step: 0,
    startedAt: [],
    unconfirmed: new Map(),
    confirmedLater: confirmedLater(scenario.steps),
  };
  const labels = stepLabelsOf(scenario);
  try {
    for (const [index, step] of scenario.steps.entries()) {
      const { kind, client, name } = labels[index]!;
      if (diagnosis !== null) {
        steps.push({
          index: index + 1,
          kind,
          client,
          name,
          status: "skipped",
          ms: 0,
          detail: "skipped: an earlier step failed",
        });
        continue;
      }
      const stepStarted = performance.now();
      context.step = index + 1;
      context.startedAt[index] = stepStarted;
      let status: "passed" | "failed" = "passed";
      let detail: string;
      try {
        detail = await runStep(step, context);
      } catch (error) {
        if (options.signal.aborted) throw options.signal.reason;
        status = "failed";
        detail =
          error instanceof StepFailure
            ? error.message
            : error instanceof ScenarioTimeout || run.signal.aborted
              ? `${String((run.signal.reason as Error).message)} during this step`
              : `the step could not run: ${messageOf(error)}`;
        diagnosis = `step ${index + 1} (${kind}${client ? ` ${client}` : ""}): ${detail}`;
      }
      steps.push({
        index: index + 1,
        kind,
        client,
        name,
        status,
        ms: roundMs(performance.now() - stepStarted),
        detail,
      });
    }
  } finally {
    run.end();
    await Promise.all(
      [...clients.values()].flatMap((state) =>
        state.connections.map((record) => record.inbox.connection.close().catch(() => undefined)),
      ),
    );
  }
  return {
    name: scenario.name,
    description: scenario.description ?? null,
    ok: diagnosis === null,
    ms: roundMs(performance.now() - started),
    nonce: options.nonce,
    room: options.room,
    steps,
    diagnosis,
  };
}

interface StepLabel {
  kind: StepKind;
  client: string | null;
  /** `scenario/index kind client`, as results name the step. */
  name: string;
}

/** By scenario spec: each step's label, the same on every run (parsed specs are not mutated). */
const stepLabels = new WeakMap<ScenarioSpec, StepLabel[]>();

function stepLabelsOf(scenario: ScenarioSpec): StepLabel[] {
  let labels = stepLabels.get(scenario);
  if (!labels) {
    labels = scenario.steps.map((step, index) => {
      const kind = stepKind(step);
      const client = stepClients(step)[0] ?? null;
      const name = `${scenario.name}/${index + 1} ${kind}${client ? ` ${client}` : step.http ? ` ${step.http.method} ${step.http.path}` : ""}`;
      return { kind, client, name };
    });
    stepLabels.set(scenario, labels);
  }
  return labels;
}

interface StepContext {
  scenario: ScenarioSpec;
  options: ScenarioRunOptions;
  vars: Map<string, unknown>;
  clients: Map<string, ClientState>;
  names: string[];
  signal: AbortSignal;
  /** 1-based index of the running step. */
  step: number;
  /** performance.now() at the start of each step so far (0-based). */
  startedAt: number[];
  /**
   * Connections that sent since their last answer from the server, with the round trip that
   * confirms it once one has started.
   */
  unconfirmed: Map<EchoConnection, Promise<boolean> | undefined>;
  /** By 0-based step: whether a later step waits for the server to have read earlier sends. */
  confirmedLater: boolean[];
}

/** Every step but an expect confirms the sends before it (see runStep). */
function confirmedLater(steps: readonly ScenarioStep[]): boolean[] {
  const later: boolean[] = [];
  let confirms = false;
  for (let index = steps.length - 1; index >= 0; index--) {
    later[index] = confirms;
    confirms ||= !steps[index]!.expect;
  }
  return later;
}

function expand<T>(value: T, context: StepContext, client?: string, i?: number): T {
  return expandWith(value, (name) => {
    if (name === "client") return client;
    if (name === "i") return i;
    return context.vars.get(name);
  });
}

function budget(context: StepContext, own?: number): number {
  return own ?? context.scenario.stepTimeoutMs ?? context.options.echo.timeoutMs;
}

function listOf(value: string | string[]): string[] {
  return typeof value === "string" ? [value] : value;
}

async function runStep(step: ScenarioStep, context: StepContext): Promise<string> {
  // An expect waits for the server anyway; every other step could overtake a send still unread.
  if (step.expect) startConfirmations(context);
  else if (context.unconfirmed.size > 0) await confirmSends(context);
  if (step.connect) return connectAll(listOf(step.connect), context, "connect");
  if (step.reconnect) {
    const keepOld =
      typeof step.reconnect === "object" && !Array.isArray(step.reconnect) && step.reconnect.keepOld;
    return connectAll(stepClients(step), context, keepOld ? "reconnect-keep" : "reconnect");
  }
  if (step.disconnect) return closeAll(listOf(step.disconnect), context, "closed");
  if (step.drop) return closeAll(listOf(step.drop), context, "dropped");
  if (step.emit) return emit(step.emit, context);
  if (step.send) return emit({ client: step.send.client, event: "", payload: step.send.payload }, context);
  if (step.http) return http(step.http, context);
  if (step.expect) return expect(step.expect, context);
  if (step.expectNone) return expectNone(step.expectNone, context);
  return burst(step.burst!, context);
}

/**
 * Round trips on every connection that sent without an answer since: once the server has answered
 * them, it has read those sends (and run their handlers up to the first await), so nothing the
 * next step does can reach it first. All at once, so back-to-back sends cost one round trip.
 */
async function confirmSends(context: StepContext): Promise<void> {
  const pending = [...context.unconfirmed];
  context.unconfirmed.clear();
  await Promise.all(pending.map(([connection, started]) => started ?? connection.barrier(budget(context))));
}

/**
 * During an expect, the round trips a later step will wait for start at once: a round trip sent
 * any time after the sends proves the same, and this one overlaps the wait instead of following it.
 */
function startConfirmations(context: StepContext): void {
  if (!context.confirmedLater[context.step - 1]) return;
  for (const [connection, started] of context.unconfirmed)
    if (!started) context.unconfirmed.set(connection, connection.barrier(budget(context)));
}

/** Whether the step after the running one starts by confirming the sends before it. */
function nextStepConfirms(context: StepContext): boolean {
  const next = context.scenario.steps[context.step];
  return next !== undefined && !next.expect;
}

function stateOf(name: string, context: StepContext): ClientState {
  return context.clients.get(name)!;
}

function connected(name: string, context: StepContext): EchoConnection {
  const state = stateOf(name, context);
  const current = state.current;
  if (!current) throw new StepFailure(state.whyNotConnected(context.step));
  return current.inbox.connection;
}

async function connectAll(
  names: string[],
  context: StepContext,
  how: "connect" | "reconnect" | "reconnect-keep",
): Promise<string> {
  const { options } = context;
  const open = async (name: string): Promise<void> => {
    const state = stateOf(name, context);
    if (state.current) {
      if (how === "connect")
        throw new StepFailure(
          `${name} is already connected: use reconnect for a new socket with the same identity`,
        );
      if (how === "reconnect-keep") state.ended("left open", context.step);
      else {
        await state.current.inbox.connection.close();
        state.ended("closed", context.step);
      }
    }
    const targets = options.targets?.length ? options.targets : [{ service: options.service }];
    const target = targets[context.names.indexOf(name) % targets.length]!;
    const identity = expand(state.identity, context, name);
    const missing = unexpanded(identity);
    if (missing.length > 0)
      throw new StepFailure(
        `${name}'s identity uses ${missing.map((v) => `{{${v}}}`).join(", ")}, which no step before ${context.step} captured`,
      );
    const timeoutMs = budget(context);
    try {
      const connection = await connectors[options.echo.protocol]({
        url:
          options.echo.protocol === "ws-json"
            ? webSocketUrl(target.service, options.echo.path)
            : target.service.origin,
        path: options.echo.path,
        transports: options.echo.transports,
        client: name,
        timeoutMs,
        signal: context.signal,
        ...(target.cookie ? { cookie: target.cookie } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
        ...(options.authorization ? { authorization: options.authorization } : {}),
        ...(identity.auth ? { auth: identity.auth } : {}),
        ...(identity.query ? { query: identity.query } : {}),
        ...(identity.headers ? { headers: identity.headers } : {}),
      });
      state.opened(new Inbox(connection), context.step);
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      throw new StepFailure(
        `${name} could not ${how === "connect" ? "connect" : "reconnect"}: ${messageOf(error)}`,
      );
    }
  };
  // New clients connect at once (no order to keep between handshakes); a reconnect closes the old
  // socket first, one client after the other, as the spec lists them.
  if (how === "connect") await Promise.all(names.map(open));
  else for (const name of names) await open(name);
  const reconnected = `reconnected (new socket, same identity${how === "reconnect-keep" ? "; the old one left open" : ""})`;
  return `${names.join(", ")} ${how === "connect" ? "connected" : reconnected}`;
}

async function closeAll(names: string[], context: StepContext, how: "closed" | "dropped"): Promise<string> {
  for (const name of names) {
    const connection = connected(name, context);
    await (how === "closed" ? connection.close() : connection.drop());
    stateOf(name, context).ended(how, context.step);
  }
  return `${names.join(", ")} ${how === "closed" ? "disconnected cleanly" : "dropped (socket destroyed)"}`;
}

function argsOf(step: { payload?: unknown; args?: unknown[] | undefined }): unknown[] {
  if (step.args !== undefined) return step.args;
  return step.payload === undefined ? [] : [step.payload];
}

/** emit (socket.io) or send (ws-json, empty event): then the ack, or the server's read of it. */
async function emit(step: EmitStep, context: StepContext): Promise<string> {
  const connection = connected(step.client, context);
  const state = stateOf(step.client, context);
  const expanded = expand(step, context, step.client);
  const args = argsOf(expanded);
  const event = step.event === "" ? undefined : step.event;
  const what = event
    ? `"${event}" ${summarizeMessage(undefined, args.length === 1 ? args[0] : args, 100)}`
    : summarizeMessage(undefined, args[0], 100);
  const timeoutMs = budget(context, step.timeoutMs);
  connection.send(event, args, { ack: step.ack !== undefined });
  state.lastSent = { step: context.step, what };
  if (step.ack === undefined) {
    // A round trip started before this send can't confirm it; one started now can, and overlaps
    // the rest of this step when the next one waits for it.
    context.unconfirmed.set(
      connection,
      nextStepConfirms(context) ? connection.barrier(budget(context)) : undefined,
    );
    return `${step.client} ${event ? "emitted" : "sent"} ${what}`;
  }
  const matcher: MessageMatcher = {
    ack: true,
    ...(step.ack === true ? {} : expand(step.ack, context, step.client)),
  };
  const inbox = state.current!.inbox;
  const result = await inbox.waitFor((m) => !state.taken.has(m) && matchesMessage(matcher)(m), {
    after: 0,
    timeoutMs,
    signal: context.signal,
  });
  const awaited = describeMatcher(matcher, event);
  if (result.kind === "closed")
    throw new StepFailure(`${step.client}'s connection ended waiting for ${awaited}: ${result.reason}`);
  if (result.kind === "timeout") {
    const other = closestMiss(state.untaken(), matcher);
    throw new StepFailure(
      other
        ? `${step.client} got an acknowledgement that doesn't match ${awaited}: ${other.summary}${other.why ? ` (${other.why})` : ""}`
        : `${step.client} got no ${awaited.replace(/^the /, "")} within ${timeoutMs} ms: does the server call the emit's callback?`,
    );
  }
  state.taken.set(result.message, context.step);
  capture(result.message.args[matcher.arg ?? 0], step.capture, context);
  return `${step.client} emitted ${what} and got ${awaited}`;
}

function capture(value: unknown, spec: Record<string, string> | undefined, context: StepContext): void {
  if (spec === undefined) return;
  const captured = captureFrom(value, spec);
  if (!captured.ok) throw new StepFailure(captured.problem);
  for (const [name, found] of Object.entries(captured.vars)) context.vars.set(name, found);
}

function httpUrl(context: StepContext, path: string): string {
  return `${context.options.service.origin}${path}`;
}

function httpHeaders(
  context: StepContext,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  return {
    ...(context.options.authorization ? { authorization: context.options.authorization } : {}),
    ...(context.options.origin ? { origin: context.options.origin } : {}),
    ...headers,
  };
}

async function http(step: HttpStep, context: StepContext): Promise<string> {
  const expanded = expand(step, context);
  const label = `${expanded.method} ${expanded.path}`;
  const timeoutMs = budget(context, step.timeoutMs);
  let answer: Awaited<ReturnType<typeof callHttp>>;
  try {
    answer = await callHttp(
      {
        method: expanded.method,
        url: httpUrl(context, expanded.path),
        headers: httpHeaders(context, expanded.headers),
        ...(expanded.body !== undefined ? { body: expanded.body } : {}),
      },
      timeoutMs,
      context.signal,
    );
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    throw new StepFailure(`${label} failed: ${messageOf(error)}`);
  }
  const body = summarizeMessage(undefined, answer.json ?? answer.text, 160);
  const statusOk =
    step.status === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === step.status;
  if (!statusOk)
    throw new StepFailure(
      `${label} answered ${answer.status}, expected ${step.status ?? "2xx"}${body ? `: ${body}` : ""}`,
    );
  if (expanded.match !== undefined) {
    const why = explainMismatch(answer.json, expanded.match);
    if (why) throw new StepFailure(`${label} answered ${answer.status} but ${why}; the body: ${body}`);
  }
  capture(answer.json, step.capture, context);
  return `${label} answered ${answer.status}${expanded.match !== undefined ? " and matched" : ""}`;
}

async function expect(step: ExpectStep, context: StepContext): Promise<string> {
  const state = stateOf(step.client, context);
  const expanded = expand(step, context, step.client);
  const matcher: MessageMatcher = { event: expanded.event, match: expanded.match, arg: expanded.arg };
  const awaited = describeMatcher(matcher);
  const timeoutMs = budget(context, step.timeoutMs);
  const current = state.current;
  if (!current) throw new StepFailure(state.whyNotConnected(context.step));
  const matches = matchesMessage(matcher);
  const started = performance.now();
  const result = await current.inbox.waitFor((m) => !state.taken.has(m) && matches(m), {
    after: 0,
    timeoutMs,
    signal: context.signal,
  });
  if (result.kind === "received") {
    state.taken.set(result.message, context.step);
    capture(result.message.args[matcher.arg ?? 0], step.capture, context);
    return `${step.client} got ${awaited} after ${roundMs(Math.max(0, result.message.at - started))} ms`;
  }
  const facts = baseFacts(state, context, awaited, timeoutMs);
  const previous = state.connections.at(-2);
  throw new StepFailure(
    diagnoseMiss({
      ...facts,
      ...(result.kind === "closed" ? { closed: result.reason } : {}),
      takenBy: [
        ...new Set(
          current.inbox.messages
            .filter((m) => matches(m) && state.taken.has(m))
            .map((m) => state.taken.get(m)!),
        ),
      ],
      // What reached an earlier connection once this one was open: the server's choice of socket.
      onOldSocket: state.connections
        .slice(0, -1)
        .reduce(
          (sum, record) =>
            sum + record.inbox.messages.filter((m) => m.at >= current.openedAt && matches(m)).length,
          0,
        ),
      elsewhere: [...context.clients.values()]
        .filter((other) => other !== state && other.connections.some((r) => r.inbox.messages.some(matches)))
        .map((other) => other.name),
      ...(previous?.ended && state.connections.length > 1 ? { previous: previous.ended } : {}),
      ...(() => {
        const instead = closestMiss(
          state.untaken().filter((m) => !matches(m)),
          matcher,
        );
        return instead ? { instead } : {};
      })(),
    }),
  );
}

function baseFacts(state: ClientState, context: StepContext, awaited: string, timeoutMs: number) {
  const current = state.connections.at(-1);
  return {
    step: context.step,
    client: state.name,
    awaited,
    timeoutMs,
    takenBy: [],
    onOldSocket: 0,
    elsewhere: [],
    ...(state.connections.length > 1 && current ? { reconnectedAt: current.openedAtStep } : {}),
    ...(state.lastSent ? { lastSent: state.lastSent } : {}),
  };
}

async function expectNone(step: ExpectNoneStep, context: StepContext): Promise<string> {
  const state = stateOf(step.client, context);
  const expanded = expand(step, context, step.client);
  const matcher: MessageMatcher = { event: expanded.event, match: expanded.match, arg: expanded.arg };
  const awaited =
    matcher.event === undefined && matcher.match === undefined ? "a message" : describeMatcher(matcher);
  const current = state.current;
  if (!current) throw new StepFailure(state.whyNotConnected(context.step));
  const matches = matchesMessage(matcher);
  // From the start of the step before: a duplicate of what that step expected counts.
  const since = context.startedAt[context.step - 2] ?? 0;
  await sleep(step.settleMs, context.signal);
  const unwanted = current.inbox.messages.filter((m) => m.at >= since && !state.taken.has(m) && matches(m));
  if (unwanted.length === 0)
    return `${step.client} got no ${awaited.replace(/^a /, "")} in ${step.settleMs} ms`;
  const earlier = current.inbox.messages.find((m) => state.taken.has(m) && matches(m));
  throw new StepFailure(
    diagnoseUnwanted({
      client: step.client,
      awaited,
      received: summarizeMessage(unwanted[0]!.event, unwanted[0]!.payload),
      count: unwanted.length,
      settleMs: step.settleMs,
      ...(earlier ? { duplicateOf: state.taken.get(earlier)! } : {}),
    }),
  );
}

async function burst(step: BurstStep, context: StepContext): Promise<string> {
  const count = step.count;
  const timeoutMs = budget(context, step.timeoutMs);
  const receivers = step.receivers.map((name) => {
    const state = stateOf(name, context);
    if (!state.current) throw new StepFailure(state.whyNotConnected(context.step));
    return state;
  });
  const matchers = Array.from({ length: count }, (_, i) => {
    const expanded = expand(step.expect, context, undefined, i);
    return matchesMessage({ event: expanded.event, match: expanded.match, arg: expanded.arg });
  });
  const indexCache = new Map<Inbound, number | undefined>();
  const indexOf = (message: Inbound) => {
    if (!indexCache.has(message)) {
      const found = matchers.findIndex((m) => m(message));
      indexCache.set(message, found < 0 ? undefined : found);
    }
    return indexCache.get(message);
  };
  const label = burstLabel(step.expect.match);
  const start = performance.now();
  const waits = receivers.map((state) => {
    const seen = new Set<number>();
    return state.current!.inbox.waitFor(
      (m) => {
        if (state.taken.has(m)) return false;
        const index = indexOf(m);
        if (index !== undefined) seen.add(index);
        return seen.size === count;
      },
      { after: start, timeoutMs, signal: context.signal },
    );
  });
  for (const wait of waits) wait.catch(() => undefined);
  const from = step.from;
  if ("client" in from) {
    const connection = connected(from.client, context);
    for (let i = 0; i < count; i++) {
      const expanded = expand(from, context, from.client, i);
      connection.send(from.event, argsOf(expanded));
    }
    stateOf(from.client, context).lastSent = { step: context.step, what: `a burst of ${count}` };
  } else {
    for (let i = 0; i < count; i++) {
      const call = expand(from.http, context, undefined, i);
      const answer = await callHttp(
        {
          method: call.method,
          url: httpUrl(context, call.path),
          headers: httpHeaders(context, call.headers),
          ...(call.body !== undefined ? { body: call.body } : {}),
        },
        timeoutMs,
        context.signal,
      ).catch((error: unknown) => {
        if (context.signal.aborted) throw context.signal.reason;
        throw new StepFailure(`${call.method} ${call.path} (${label(i)}) failed: ${messageOf(error)}`);
      });
      if (answer.status < 200 || answer.status >= 300)
        throw new StepFailure(
          `${call.method} ${call.path} (${label(i)}) answered ${answer.status}: ${summarizeMessage(undefined, answer.json ?? answer.text, 120)}`,
        );
    }
  }
  const results = await Promise.all(waits);
  if (step.settleMs > 0) await sleep(step.settleMs, context.signal);
  const order = step.order === "arrival" || step.order === "none" ? step.order : "field";
  const field = typeof step.order === "object" ? step.order.field : undefined;
  const problems: string[] = [];
  receivers.forEach((state, r) => {
    const arrivals: BurstArrival[] = [];
    for (const message of state.current?.inbox.messages ?? state.connections.at(-1)!.inbox.messages) {
      if (message.at < start || state.taken.has(message)) continue;
      const index = indexOf(message);
      if (index === undefined) continue;
      state.taken.set(message, context.step);
      arrivals.push({
        index,
        ...(field ? { field: valueAtPath(message.args[step.expect.arg ?? 0], field) } : {}),
      });
    }
    const verdict = analyzeBurst(arrivals, count, order);
    if (verdict.ok) return;
    const closed =
      results[r]?.kind === "closed"
        ? ` (its connection ended: ${(results[r] as { reason: string }).reason})`
        : "";
    problems.push(`${describeBurst(state.name, verdict, count, label, field)}${closed}`);
  });
  if (problems.length > 0) throw new StepFailure(problems.join("; "));
  const slowest = roundMs(performance.now() - start);
  return `${receivers.map((s) => s.name).join(", ")} each got all ${count} once${order === "none" ? "" : ", in order"} (${slowest} ms)`;
}

/** `m7` for message 7: the first string of the match that uses {{i}}, other templates left out. */
function burstLabel(match: unknown): (index: number) => string {
  const template = firstIndexString(match);
  if (!template) return (index) => `#${index}`;
  return (index) => {
    const text = String(expandWith(template, (name) => (name === "i" ? String(index) : "")));
    const trimmed = text.replace(/^[\s\-_:.#/]+|[\s\-_:.#/]+$/g, "");
    return trimmed.length > 0 && trimmed.length <= 40 ? trimmed : `#${index}`;
  };
}

function firstIndexString(value: unknown): string | undefined {
  if (typeof value === "string") return /\{\{\s*i\s*\}\}/.test(value) ? value : undefined;
  if (Array.isArray(value)) return value.map(firstIndexString).find((found) => found !== undefined);
  if (value !== null && typeof value === "object")
    return Object.values(value)
      .map(firstIndexString)
      .find((found) => found !== undefined);
  return undefined;
}

/** Template names still in a value after expansion. */
function unexpanded(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") found.push(...templatesIn(value));
  else if (value !== null && typeof value === "object") {
    for (const item of Array.isArray(value) ? value : Object.values(value)) unexpanded(item, found);
  }
  return found;
}
