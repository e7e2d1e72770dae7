import type { RandomSource } from "./revision-naming.js";
import type { RevisionSpec } from "./state-types.js";
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_INSTANCES, DEFAULT_TIMEOUT } from "./template-spec.js";

/** How many instances a revision may run and how each one is used, read from its template. */
export interface Scaling {
  /** Kept running when idle; 0 (the default) lets the revision scale to zero. */
  minInstances: number;
  maxInstances: number;
  /** Open requests (a WebSocket counts as one for its whole life) per instance before another starts. */
  concurrency: number;
  /** The request timeout: Cloud Run ends any request, WebSockets included, after it. */
  timeoutMs: number;
  /** Route a client back to the instance named by its affinity cookie. */
  sessionAffinity: boolean;
}

export function scalingOf(spec: RevisionSpec): Scaling {
  const max = spec.scaling?.maxInstanceCount ?? DEFAULT_MAX_INSTANCES;
  const min = Math.min(spec.scaling?.minInstanceCount ?? 0, max);
  return {
    minInstances: min,
    maxInstances: max,
    concurrency: spec.maxInstanceRequestConcurrency ?? DEFAULT_CONCURRENCY,
    timeoutMs: durationMs(spec.timeout ?? DEFAULT_TIMEOUT),
    sessionAffinity: spec.sessionAffinity === true,
  };
}

/** A proto3 JSON Duration ("300s", "1.5s") in ms. */
export function durationMs(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  return match ? Math.round(Number(match[1]) * 1000) : 300_000;
}

interface InstanceLoad {
  id: string;
  active: number;
}

type InstanceChoice = { kind: "use"; id: string } | { kind: "scale-out" } | { kind: "full" };

/**
 * Where a new request goes: the cookie's instance if it still runs and has room, else the least
 * busy instance with room (ties broken at random, so clients spread), else a new instance while
 * under maxInstances, else nowhere: maxInstances × concurrency requests are open, and Cloud Run
 * holds the request until a slot frees, then answers 429.
 */
export function chooseInstance(
  instances: readonly InstanceLoad[],
  scaling: Pick<Scaling, "concurrency" | "maxInstances" | "sessionAffinity">,
  affinityId: string | undefined,
  random: RandomSource,
): InstanceChoice {
  const withRoom = instances.filter((i) => i.active < scaling.concurrency);
  if (scaling.sessionAffinity && affinityId) {
    const sticky = withRoom.find((i) => i.id === affinityId);
    if (sticky) return { kind: "use", id: sticky.id };
  }
  if (withRoom.length === 0)
    return instances.length < scaling.maxInstances ? { kind: "scale-out" } : { kind: "full" };
  const least = Math.min(...withRoom.map((i) => i.active));
  const idle = withRoom.filter((i) => i.active === least);
  return { kind: "use", id: idle[Math.floor(random() * idle.length)]!.id };
}

/** Cloud Run's session affinity cookie. */
const AFFINITY_COOKIE = "GAESA";

export function affinityFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === AFFINITY_COOKIE) return value.join("=") || undefined;
  }
  return undefined;
}

export function affinityCookie(instanceId: string): string {
  return `${AFFINITY_COOKIE}=${instanceId}; Path=/; HttpOnly; SameSite=Lax`;
}
