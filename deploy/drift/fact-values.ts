import type { SourceLocation } from "../core/source-location.js";
import type { DeclaredEnvironment, DriftFacts, ServiceKey, TargetFacts } from "./facts.js";
import type { ComparableFact, RawFinding } from "./rules.js";

// Pure projections of facts to comparable strings; rules and the matrix read facts through these.

export const MISSING = "—";

/** The comparable value of a fact on one live target; undefined when the target has no such fact. */
export function factValue(
  target: TargetFacts,
  fact: Exclude<ComparableFact, "env.keys" | "env.values">,
): string | undefined {
  if (target.status !== "ok") return undefined;
  const s = target.settings;
  switch (fact) {
    case "digest":
      return target.digest ?? target.image;
    case "entry":
      return entryText(target);
    case "version":
      return target.health?.version ?? target.recordedVersion;
    case "settings.port":
      return s?.port == null ? undefined : String(s.port);
    case "settings.concurrency":
      return s?.concurrency == null ? undefined : String(s.concurrency);
    case "settings.cpu":
      return s?.cpu ?? undefined;
    case "settings.memory":
      return s?.memory ?? undefined;
    case "settings.timeoutSeconds":
      return s?.timeoutSeconds == null ? undefined : `${s.timeoutSeconds}s`;
    case "settings.minInstances":
      return s ? String(s.minInstances) : undefined;
    case "settings.maxInstances":
      return s?.maxInstances == null ? undefined : String(s.maxInstances);
    case "settings.sessionAffinity":
      return s ? (s.sessionAffinity ? "on" : "off") : undefined;
  }
}

export function entryText(target: TargetFacts): string {
  const words = [...(target.command ?? []), ...(target.args ?? [])];
  return words.length === 0 ? "(image default)" : words.join(" ");
}

/** Every env key any target sets, sorted. */
export function envKeysOf(targets: readonly TargetFacts[]): string[] {
  const keys = new Set<string>();
  for (const target of targets) for (const entry of target.env ?? []) keys.add(entry.key);
  return [...keys].sort();
}

export function envValue(target: TargetFacts, key: string): string | undefined {
  return target.env?.find((entry) => entry.key === key)?.value;
}

export function declaredOf(facts: DriftFacts, environment: string): DeclaredEnvironment | undefined {
  return facts.environments.find((candidate) => candidate.name === environment);
}

/**
 * A finding about one live target (its column), placed at `key` in that environment's YAML: the
 * line a person edits to fix it.
 */
export function targetFinding(
  facts: DriftFacts,
  target: TargetFacts,
  key: ServiceKey,
  finding: { fact: string; message: string; hint: string },
): RawFinding {
  const location = locationOf(facts, target.environment, key);
  return { ...finding, columns: [target.column], ...(location ? { location } : {}) };
}

/** Where in environments/<name>.yaml a service key is (its nearest written parent when it is not). */
export function locationOf(
  facts: DriftFacts,
  environment: string,
  key: ServiceKey,
): SourceLocation | undefined {
  const declared = declaredOf(facts, environment);
  return declared ? declared.locate(key) : undefined;
}

/** The yaml key an equal-checked fact comes from. */
export const factServiceKey: Partial<Record<ComparableFact, ServiceKey>> = {
  "settings.port": "port",
  "settings.concurrency": "concurrency",
  "settings.cpu": "cpu",
  "settings.memory": "memory",
  "settings.timeoutSeconds": "requestTimeoutS",
  "settings.minInstances": "minInstances",
  "settings.maxInstances": "maxInstances",
  "settings.sessionAffinity": "sessionAffinity",
  "env.keys": "envFile",
  "env.values": "envFile",
};
