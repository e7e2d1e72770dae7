import { type ScenarioSpec, type ScenarioStep, stepClients, stepKind } from "./scenario-spec.js";
import type { SmokeProtocol } from "./smoke-spec.js";
import { templatesIn } from "./smoke-templates.js";

interface Problem {
  path: PropertyKey[];
  message: string;
}

const builtIn = ["room", "nonce", "client"];

/**
 * What zod's shapes can't say: unique names, clients that exist, steps that fit the protocol,
 * and templates that name a built-in or a variable captured by an earlier step.
 */
export function scenarioProblems(scenarios: readonly ScenarioSpec[], protocol: SmokeProtocol): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  scenarios.forEach((scenario, index) => {
    const at = (...path: PropertyKey[]) => [index, ...path];
    if (seen.has(scenario.name))
      problems.push({ path: at("name"), message: `"${scenario.name}" is used twice` });
    seen.add(scenario.name);
    const clients = new Set(Object.keys(scenario.clients));
    // An identity may use a variable a step captures (a token from a login request): it is
    // expanded when the client connects, and the runner refuses one still missing then.
    const capturedAnywhere = scenario.steps.flatMap((step) =>
      Object.keys((step[stepKind(step)] as { capture?: Record<string, string> }).capture ?? {}),
    );
    for (const [name, client] of Object.entries(scenario.clients)) {
      if (protocol === "ws-json" && client.auth !== undefined)
        problems.push({
          path: at("clients", name, "auth"),
          message: "auth is the Socket.IO handshake's; ws-json has query and headers",
        });
      problems.push(...templates(client, [...builtIn, ...capturedAnywhere], at("clients", name)));
    }
    const captured: string[] = [];
    scenario.steps.forEach((step, stepIndex) => {
      const path = at("steps", stepIndex);
      const kind = stepKind(step);
      for (const client of stepClients(step)) {
        if (!clients.has(client))
          problems.push({
            path: [...path, kind],
            message: `no client "${client}" in this scenario's clients (${[...clients].join(", ")})`,
          });
      }
      problems.push(...protocolProblems(step, protocol, [...path, kind]));
      const known = [...builtIn, ...captured, ...(kind === "burst" ? ["i"] : [])];
      problems.push(...templates(step[kind], known, [...path, kind]));
      const capture = (step[kind] as { capture?: Record<string, string> }).capture;
      if (capture) captured.push(...Object.keys(capture));
    });
  });
  return problems;
}

function protocolProblems(step: ScenarioStep, protocol: SmokeProtocol, path: PropertyKey[]): Problem[] {
  const socketIo = protocol === "socket.io";
  const problems: Problem[] = [];
  if (step.emit && !socketIo)
    problems.push({ path, message: "emit is Socket.IO's; with ws-json use send (the whole message)" });
  if (step.send && socketIo)
    problems.push({ path, message: "send is ws-json's; with socket.io use emit (an event and its payload)" });
  if (step.emit && step.emit.args !== undefined && step.emit.payload !== undefined)
    problems.push({
      path: [...path, "args"],
      message: "give payload (one argument) or args (several), not both",
    });
  const matchers = [step.expect, step.expectNone, step.burst?.expect].filter((m) => m !== undefined);
  for (const matcher of matchers) {
    if (!socketIo && matcher.event !== undefined)
      problems.push({
        path: [...path, "event"],
        message: "ws-json has no event names: match on the message instead",
      });
    if (!socketIo && matcher.arg !== undefined)
      problems.push({ path: [...path, "arg"], message: "ws-json messages have no arguments" });
  }
  if (step.expect && socketIo && step.expect.event === undefined)
    problems.push({ path: [...path, "event"], message: "socket.io needs the event name to expect" });
  const from = step.burst?.from;
  if (from && "client" in from) {
    if (socketIo && from.event === undefined)
      problems.push({ path: [...path, "from", "event"], message: "socket.io needs an event name to emit" });
    if (!socketIo && (from.event !== undefined || from.args !== undefined))
      problems.push({ path: [...path, "from"], message: "ws-json sends payload only (no event, no args)" });
  }
  if (step.burst && !usesIndex(step.burst.expect.match))
    problems.push({
      path: [...path, "expect", "match"],
      message: "must use {{i}} so the messages of the burst can be told apart",
    });
  return problems;
}

function usesIndex(value: unknown): boolean {
  if (typeof value === "string") return templatesIn(value).includes("i");
  if (Array.isArray(value)) return value.some(usesIndex);
  if (value !== null && typeof value === "object") return Object.values(value).some(usesIndex);
  return false;
}

function templates(value: unknown, known: readonly string[], path: PropertyKey[]): Problem[] {
  if (typeof value === "string") {
    return templatesIn(value)
      .filter((name) => !known.includes(name))
      .map((name) => ({
        path,
        message: `Can't expand {{${name}}}: known here are ${known.map((n) => `{{${n}}}`).join(", ")} (a variable must be captured by an earlier step)`,
      }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => templates(item, known, [...path, index]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) =>
      key === "capture" ? [] : templates(item, known, [...path, key]),
    );
  }
  return [];
}
