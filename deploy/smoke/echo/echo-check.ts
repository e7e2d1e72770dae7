import type { EchoSpec, Matcher, SendStep } from "../../config/smoke-spec.js";
import { expandTemplates, type TemplateVars } from "../../config/smoke-templates.js";
import { messageOf } from "../../core/errors.js";
import type { ClientTarget } from "../placement.js";
import { type CheckName, ranCheck, type SmokeCheck } from "../result.js";
import { type ServiceUrl, webSocketUrl } from "../service-url.js";
import { subsetMatch } from "../subset-match.js";
import { roundMs } from "../timing.js";
import { type Connector, type EchoConnection, HandshakeError, type Inbound } from "./connection.js";
import { diagnoseCrossing } from "./cross-diagnosis.js";
import { diagnoseEcho, type Receipt, summarizeMessage } from "./diagnose.js";
import { Inbox, type WaitResult } from "./inbox.js";
import { startPhase } from "./phase.js";
import { connectSocketIo } from "./socket-io.js";
import { connectWsJson } from "./ws-json.js";

interface EchoOutcome {
  checks: SmokeCheck[];
  connectMs: Record<string, number>;
  joinMs: Record<string, number>;
  echoMs: Record<string, number | null>;
  /** The HTTP status the server refused every client's handshake with, if it did. */
  refusedStatus?: number;
}

interface EchoRunOptions {
  room: string;
  nonce: string;
  /** None when nothing can abort the check. */
  signal?: AbortSignal | undefined;
  /** The web origin the clients connect from; none (like a CLI) when absent. */
  origin?: string;
  authorization?: string;
  /** Where each client connects (client i uses targets[i % length]); the service itself when absent. */
  targets?: readonly ClientTarget[];
  onCheckStart?: (name: CheckName) => void;
  onCheck?: (check: SmokeCheck) => void;
}

/** The client for each protocol. */
export const connectors: Record<EchoSpec["protocol"], Connector> = {
  "ws-json": connectWsJson,
  "socket.io": connectSocketIo,
};

/**
 * Past echo.timeoutMs the connect phase gives up on every client still connecting. Each connector
 * has its own timer; this is the bound for the phase as a whole, a little later so that
 * socket.io's own timeout and its wrong-path probe (500 ms) still explain a failure first.
 */
export const CONNECT_MARGIN_MS = 750;

function clientName(index: number): string {
  return `smoke-${index + 1}`;
}

/** What every phase of one echo check reads and adds to. */
interface EchoRun {
  spec: EchoSpec;
  options: EchoRunOptions;
  names: string[];
  /** Where each client connects: client i uses targets[i % length]. */
  targets: readonly ClientTarget[];
  outcome: EchoOutcome;
  /** Who joined (or, without a join step, connected) when: a miss is named by join order. */
  joinOrder: string[];
  connectOrder: string[];
  /** Every connection opened so far, closed when the check ends. */
  opened: EchoConnection[];
}

/** connect → join → send once → every client must receive; closes every connection it opened. */
export async function runEchoCheck(
  service: ServiceUrl,
  spec: EchoSpec,
  options: EchoRunOptions,
): Promise<EchoOutcome> {
  const run: EchoRun = {
    spec,
    options,
    names: Array.from({ length: spec.clients }, (_, index) => clientName(index)),
    targets: options.targets?.length ? options.targets : [{ service }],
    outcome: { checks: [], connectMs: {}, joinMs: {}, echoMs: {} },
    joinOrder: [],
    connectOrder: [],
    opened: [],
  };
  let endExchange: (() => void) | undefined;
  try {
    const inboxes = await connectClients(run);
    if (!inboxes) {
      skipRest(run, "connect");
      return run.outcome;
    }
    endExchange = holdExchange(options.signal, inboxes);
    if (spec.join && !(await joinRoom(run, spec.join, inboxes))) {
      skipRest(run, "join");
      return run.outcome;
    }
    await sendAndReceive(run, inboxes);
    return run.outcome;
  } finally {
    endExchange?.();
    await Promise.all(run.opened.map((connection) => connection.close()));
  }
}

/** Why the waits still pending when the check ends are cancelled; nobody reads it. */
const EXCHANGE_OVER = new Error("the echo check is over");

/**
 * Join and echo wait on the inboxes, which an abort of the run cancels through one listener here;
 * ending releases what still waits (the sender's own echo when it is optional). Neither needs an
 * AbortController of its own, a measurable share of a 3 ms gate.
 */
function holdExchange(signal: AbortSignal | undefined, inboxes: readonly Inbox[]): () => void {
  const cancel = (reason: unknown) => {
    for (const inbox of inboxes) inbox.cancelWaits(reason);
  };
  if (!signal) return () => cancel(EXCHANGE_OVER);
  signal.throwIfAborted();
  const onAbort = () => cancel(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  return () => {
    signal.removeEventListener("abort", onAbort);
    cancel(EXCHANGE_OVER);
  };
}

function record(run: EchoRun, check: SmokeCheck): void {
  run.outcome.checks.push(check);
  run.options.onCheck?.(check);
}

/** The checks after a failed one, each recorded as skipped. */
function skipRest(run: EchoRun, after: CheckName): void {
  const order: CheckName[] = run.spec.join ? ["join", "echo"] : ["echo"];
  for (const name of order.slice(after === "connect" ? 0 : order.indexOf(after) + 1)) {
    record(run, { name, ok: false, status: "skipped", ms: 0, detail: `skipped: the ${after} check failed` });
  }
}

function varsFor(run: EchoRun, client: string): TemplateVars {
  return { room: run.options.room, nonce: run.options.nonce, client };
}

function urlOf(spec: EchoSpec, target: ClientTarget): string {
  return spec.protocol === "ws-json" ? webSocketUrl(target.service, spec.path) : target.service.origin;
}

/** Connects every client at once; their inboxes, or undefined (the failed check recorded) when any could not. */
async function connectClients(run: EchoRun): Promise<Inbox[] | undefined> {
  const { spec, options, names, targets, outcome } = run;
  options.onCheckStart?.("connect");
  const connectStarted = performance.now();
  const connectPhase = startPhase(options.signal, spec.clients, {
    ms: spec.timeoutMs + CONNECT_MARGIN_MS,
    reason: () => new HandshakeError(`not connected within the ${spec.timeoutMs} ms connect timeout`),
  });
  const attempts = await Promise.allSettled(
    names.map(async (client, index) => {
      const started = performance.now();
      const target = targets[index % targets.length]!;
      const connection = await connectors[spec.protocol]({
        url: urlOf(spec, target),
        ...(target.cookie ? { cookie: target.cookie } : {}),
        path: spec.path,
        transports: spec.transports,
        ...(Object.keys(spec.extraHeaders).length > 0 ? { headers: spec.extraHeaders } : {}),
        client,
        timeoutMs: spec.timeoutMs,
        signal: connectPhase.signal,
        ...(options.origin ? { origin: options.origin } : {}),
        ...(options.authorization ? { authorization: options.authorization } : {}),
      });
      run.opened.push(connection);
      run.connectOrder.push(client);
      outcome.connectMs[client] = roundMs(performance.now() - started);
      return connection;
    }),
  );
  connectPhase.end();
  if (options.signal?.aborted) throw options.signal.reason;
  const connectMs = roundMs(performance.now() - connectStarted);
  const failures = attempts.flatMap((attempt, index) =>
    attempt.status === "rejected" ? [{ client: names[index]!, error: attempt.reason as unknown }] : [],
  );
  if (failures.length > 0) {
    const first = failures[0]!;
    const reason = messageOf(first.error);
    const who =
      failures.length === names.length
        ? `all ${names.length} clients`
        : failures.map((f) => f.client).join(", ");
    const statuses = failures.map((f) => (f.error instanceof HandshakeError ? f.error.status : undefined));
    const refused = statuses[0];
    if (refused !== undefined && failures.length === names.length && statuses.every((s) => s === refused))
      outcome.refusedStatus = refused;
    record(run, {
      name: "connect",
      ok: false,
      status: "failed",
      ms: connectMs,
      detail: `${who} could not connect: ${reason}`,
    });
    return undefined;
  }
  const url = urlOf(spec, targets[0]!);
  const where =
    (spec.protocol === "ws-json" ? url : `${url}${spec.path} (${spec.transports.join(", ")})`) +
    placedOn(targets, names.length);
  record(run, {
    name: "connect",
    ok: true,
    status: "passed",
    ms: connectMs,
    detail: `${names.length} clients connected to ${where}`,
  });
  return attempts.map((attempt) => new Inbox((attempt as PromiseFulfilledResult<EchoConnection>).value));
}

/** Every client joins at once and waits for its confirmation (or a round trip); false when any failed. */
async function joinRoom(
  run: EchoRun,
  join: NonNullable<EchoSpec["join"]>,
  inboxes: Inbox[],
): Promise<boolean> {
  const { spec, options, names, outcome } = run;
  options.onCheckStart?.("join");
  const joinStarted = performance.now();
  const unconfirmed: string[] = [];
  const results = await Promise.all(
    inboxes.map(async (inbox) => {
      const vars = varsFor(run, inbox.client);
      const started = performance.now();
      const matcher = join.waitFor ? expandTemplates(join.waitFor, vars) : undefined;
      const waiting = matcher
        ? inbox.waitFor(matches(matcher), {
            after: started,
            timeoutMs: spec.timeoutMs,
          })
        : undefined;
      inbox.connection.send(join.event, argsOf(expandTemplates(join, vars)), {
        ack: join.waitFor?.ack === true,
      });
      // Without waitFor, a round trip on the same connection: the server has read the join
      // (and run its handler up to the first await) before anyone sends.
      const result = waiting
        ? await waiting
        : ({ kind: "sent", read: await inbox.connection.barrier(spec.timeoutMs) } as const);
      outcome.joinMs[inbox.client] = roundMs(performance.now() - started);
      run.joinOrder.push(inbox.client);
      if (result.kind === "sent" && !result.read) unconfirmed.push(inbox.client);
      if (result.kind === "timeout" || result.kind === "closed") {
        const awaited = describeMatcher(matcher!, join.event);
        const ignored = inbox.lastIgnored(matches(matcher!), started);
        return result.kind === "closed"
          ? `client ${inbox.client} lost its connection while waiting for ${awaited} after joining: ${result.reason}`
          : `client ${inbox.client} joined but got ${no(awaited)} within ${spec.timeoutMs} ms${ignored ? `; got instead: ${summarizeMessage(ignored.event, ignored.payload)}` : ""}`;
      }
      return undefined;
    }),
  );
  const problems = results.filter((problem): problem is string => problem !== undefined);
  const ms = roundMs(performance.now() - joinStarted);
  if (problems.length > 0) {
    record(run, { name: "join", ok: false, status: "failed", ms, detail: problems.join("; ") });
    return false;
  }
  record(run, {
    name: "join",
    ok: true,
    status: "passed",
    ms,
    detail: join.waitFor
      ? `${names.length} clients joined room ${options.room} and each got ${describeMatcher(expandTemplates(join.waitFor, varsFor(run, names[0]!)), join.event)}`
      : unconfirmed.length === 0
        ? `${names.length} clients joined; each join was read by the server before the send (no waitFor: a round trip on each connection)`
        : `${names.length} clients sent their join; ${unconfirmed.join(", ")} got no answer to a round trip after it (no waitFor: not confirmed)`,
  });
  return true;
}

/** The first client sends once; every client (the sender as the spec says) must receive it. */
async function sendAndReceive(run: EchoRun, inboxes: Inbox[]): Promise<void> {
  const { spec, options, names, outcome } = run;
  options.onCheckStart?.("echo");
  const senderVars = varsFor(run, names[0]!);
  const expected = matches(expandTemplates(spec.expect, senderVars));
  const sendArgs = argsOf(expandTemplates(spec.send, senderVars));
  const ackMatcher = ackMatcherOf(spec.send.ack, senderVars);
  const windowStart = performance.now();
  const waits = inboxes.map((inbox) =>
    inbox.waitFor(expected, { after: windowStart, timeoutMs: spec.timeoutMs }),
  );
  const sender = inboxes[0]!;
  const ackWait = ackMatcher
    ? sender.waitFor(matches(ackMatcher), {
        after: windowStart,
        timeoutMs: spec.timeoutMs,
      })
    : undefined;
  const sentAt = performance.now();
  sender.connection.send(spec.send.event, sendArgs, { ack: ackMatcher !== undefined });
  const [results, ackResult] = await Promise.all([
    Promise.all(spec.senderReceivesEcho ? waits : [waitsSenderless(waits[0]!), ...waits.slice(1)]),
    ackWait,
  ]);
  if (options.signal?.aborted) throw options.signal.reason;
  const receipts: Receipt[] = inboxes.map((inbox, index) => {
    const result = results[index] ?? null;
    const receipt: Receipt = { client: inbox.client, ms: null };
    const received =
      result?.kind === "received"
        ? result.message
        : inbox.messages.find((m) => m.at >= windowStart && expected(m));
    if (received) receipt.ms = roundMs(received.at - sentAt);
    else if (result?.kind === "closed") receipt.closed = result.reason;
    const ignored = receipt.ms === null ? inbox.lastIgnored(expected, windowStart) : undefined;
    if (ignored) receipt.ignored = summarizeMessage(ignored.event, ignored.payload);
    outcome.echoMs[inbox.client] = receipt.ms;
    return receipt;
  });
  const order = spec.join ? run.joinOrder : run.connectOrder;
  for (const receipt of receipts) {
    const rank = order.indexOf(receipt.client);
    if (rank >= 0) receipt.joinRank = rank + 1;
  }
  const verdict = diagnoseEcho({
    sender: receipts[0]!,
    others: receipts.slice(1),
    senderReceivesEcho: spec.senderReceivesEcho,
    timeoutMs: spec.timeoutMs,
  });
  const ackProblem =
    ackMatcher && ackResult?.kind !== "received"
      ? describeMissingAck(sender, ackMatcher, spec.send.event, windowStart, spec.timeoutMs, ackResult)
      : undefined;
  const ok = verdict.ok && ackProblem === undefined;
  const crossing = diagnoseCrossing(
    receipts.map((receipt, index) => ({ ...receipt, where: run.targets[index % run.targets.length]!.where })),
    spec.timeoutMs,
  );
  record(
    run,
    ranCheck(
      "echo",
      ok,
      roundMs(performance.now() - sentAt),
      ackProblem
        ? `${ackProblem}${verdict.ok ? "" : `; ${crossing ? `${crossing}; ` : ""}${verdict.detail}`}`
        : crossing && !verdict.ok
          ? `${crossing}; ${verdict.detail}`
          : `${verdict.detail}${ackMatcher ? "; the send was acknowledged" : ""}`,
    ),
  );
}

/** An acknowledgement matches only an ack matcher; an event or message only the others. */
function matches(matcher: Matcher): (message: Inbound) => boolean {
  return (message) =>
    (matcher.ack === true) === (message.ack === true) &&
    (matcher.event === undefined || message.event === matcher.event) &&
    (matcher.match === undefined || subsetMatch(message.args[matcher.arg ?? 0], matcher.match));
}

function describeMatcher(matcher: Matcher, emitted?: string): string {
  const which = matcher.arg ? ` argument ${matcher.arg}` : "";
  const match =
    matcher.match !== undefined ? `${which} matching ${summarizeMessage(undefined, matcher.match, 100)}` : "";
  if (matcher.ack) return `the acknowledgement of ${emitted ? `"${emitted}"` : "its emit"}${match}`;
  return matcher.event ? `"${matcher.event}"${match}` : `a message${match}`;
}

/** "no …" before a described matcher: `the acknowledgement of "x"` → `no acknowledgement of "x"`. */
function no(described: string): string {
  return `no ${described.replace(/^the /, "")}`;
}

/** The step's arguments: `args` as given, else the one `payload` (none when neither is set). */
function argsOf(step: { payload?: unknown; args?: unknown[] | undefined }): unknown[] {
  if (step.args !== undefined) return step.args;
  return step.payload === undefined ? [] : [step.payload];
}

function ackMatcherOf(ack: SendStep["ack"], vars: TemplateVars): Matcher | undefined {
  if (ack === undefined) return undefined;
  return ack === true ? { ack: true } : { ack: true, ...expandTemplates(ack, vars) };
}

function describeMissingAck(
  sender: Inbox,
  matcher: Matcher,
  event: string | undefined,
  after: number,
  timeoutMs: number,
  result: WaitResult | undefined,
): string {
  const what = describeMatcher(matcher, event);
  if (result?.kind === "closed")
    return `the sender (${sender.client}) lost its connection waiting for ${what}: ${result.reason}`;
  const other = sender.messages.find((message) => message.at >= after && message.ack);
  return other
    ? `the sender (${sender.client}) got an acknowledgement that doesn't match: ${summarizeMessage(undefined, other.args, 160)} (expected ${what})`
    : `the sender (${sender.client}) got ${no(what)} within ${timeoutMs} ms — does the server call the emit's callback?`;
}

/** The sender's wait when its echo is optional: resolves at once, never rejects on the phase's abort. */
function waitsSenderless(wait: Promise<WaitResult>): Promise<null> {
  wait.catch(() => undefined);
  return Promise.resolve(null);
}

function placedOn(targets: readonly ClientTarget[], clients: number): string {
  const places = new Set(targets.slice(0, clients).flatMap((t) => (t.where ? [t.where] : [])));
  return places.size > 1 ? ` (on ${[...places].join(" and ")})` : "";
}
