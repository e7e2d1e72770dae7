import { HttpRequestError } from "@echogate/common/http-request";
import type { HealthSpec } from "../config/smoke-spec.js";
import { httpGet } from "./http-get.js";
import { parseServiceUrl, type ServiceUrl } from "./service-url.js";
import { valueAtPath } from "./subset-match.js";

/** Where one smoke client connects, and what it is known to land on. */
export interface ClientTarget {
  service: ServiceUrl;
  /** The affinity cookie that pins it to an instance. */
  cookie?: string;
  /** `instance <id>` or `revision <name>`, for the failure diagnosis. */
  where?: string;
}

/** `targets` empty with a `notice`: the server reports no instance, so the clients were not placed. */
export type Placement =
  | { ok: true; targets: ClientTarget[]; detail: string; notice?: string }
  | { ok: false; detail: string };

/** Requests to /health per client before giving up on seeing a second instance. */
const PLACEMENT_ATTEMPTS = 20;
const PROBE_TIMEOUT_MS = 5_000;

/** A short form of an opaque instance id for messages. */
function shortInstance(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}

/**
 * Spreads the clients over at least two instances: each reads /health (which reports the instance
 * it answered from) and keeps the session-affinity cookie that came with it, so its WebSocket lands
 * on that instance. The second client retries (bounded) until it sees another instance.
 */
export async function placeOnInstances(
  service: ServiceUrl,
  health: HealthSpec,
  clients: number,
  signal: AbortSignal,
  attempts = PLACEMENT_ATTEMPTS,
): Promise<Placement> {
  const field = health.instanceField;
  const targets: (ClientTarget & { instance: string })[] = [];
  let requests = 0;
  for (let index = 0; index < clients; index++) {
    for (let attempt = 1; ; attempt++) {
      requests += 1;
      const probe = await probeInstance(service, health.path, field, signal);
      if (!probe.ok) return probe;
      if (probe.instance === undefined) {
        // `instance` is optional in the contract: without it the clients go where the service sends them.
        return {
          ok: true,
          targets: [],
          detail: `${health.path} reports no ${field}: clients not placed on chosen instances`,
          notice: `${health.path} reports no "${field}" (health.instanceField), so the gate couldn't put its clients on two instances and didn't prove a message crosses them: report the instance id (the metadata server's instance/id) as ${field} (docs/server-contract.md).`,
        };
      }
      const { instance, cookie } = probe;
      if (!cookie) {
        return {
          ok: false,
          detail: `GET ${health.path} answered from instance ${shortInstance(instance)} without a session-affinity cookie, so the gate can't put its clients on chosen instances — set service.sessionAffinity: true`,
        };
      }
      const wantsOther = index === 1 && instance === targets[0]!.instance;
      if (wantsOther && attempt < attempts) continue;
      targets.push({ service, cookie, instance, where: `instance ${shortInstance(instance)}` });
      break;
    }
  }
  const distinct = new Set(targets.map((t) => t.instance));
  if (distinct.size < 2) {
    return {
      ok: false,
      detail: `only instance ${shortInstance(targets[0]!.instance)} answered ${requests} requests to ${health.path}, so the gate can't prove a message crosses instances — set service.minInstances: 2 so two instances are always up`,
    };
  }
  return {
    ok: true,
    targets,
    detail: `clients on ${distinct.size} instances (${[...distinct].map(shortInstance).join(", ")})`,
  };
}

/** The candidate's clients and the previous revision's clients alternate, the sender on the candidate. */
export function placeOnRevisions(
  candidate: { service: ServiceUrl; revision: string | null },
  previous: { url: string; revision: string },
): ClientTarget[] {
  return [
    { service: candidate.service, where: `revision ${candidate.revision ?? "candidate"}` },
    { service: parseServiceUrl(previous.url), where: `revision ${previous.revision}` },
  ];
}

type Probe =
  | { ok: true; instance: string | undefined; cookie: string | undefined }
  | { ok: false; detail: string };

async function probeInstance(
  service: ServiceUrl,
  path: string,
  field: string,
  signal: AbortSignal,
): Promise<Probe> {
  try {
    const answer = await httpGet(`${service.origin}${path}`, PROBE_TIMEOUT_MS, signal);
    if (answer.status < 200 || answer.status >= 300)
      return { ok: false, detail: `GET ${path} answered HTTP ${answer.status} while placing clients` };
    const value = valueAtPath(safeJson(answer.body), field);
    if (value === undefined || value === null || value === "")
      return { ok: true, instance: undefined, cookie: undefined };
    const affinity = answer.cookies.join("; ");
    return { ok: true, instance: String(value), cookie: affinity || undefined };
  } catch (error) {
    if (error instanceof HttpRequestError)
      return { ok: false, detail: `GET ${path} failed: ${error.message}` };
    throw error;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
