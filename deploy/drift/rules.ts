import type { SourceLocation } from "../core/source-location.js";
import type { DriftFacts } from "./facts.js";

// Rules are data: an id, a severity and a kind with its parameters. The evaluators (evaluators/)
// interpret them; environments/drift.yaml overrides severity, scope and parameters per repo.

type RuleSeverity = "error" | "warning" | "off";

/** Facts compared by `equal` rules; each is one matrix row (env keys: one row per key). */
const comparableFacts = [
  "digest",
  "entry",
  "env.keys",
  "env.values",
  "settings.port",
  "settings.concurrency",
  "settings.cpu",
  "settings.memory",
  "settings.timeoutSeconds",
  "settings.minInstances",
  "settings.maxInstances",
  "settings.sessionAffinity",
  "version",
] as const;
export type ComparableFact = (typeof comparableFacts)[number];

export type RuleKind =
  /** The fact has one value across environments (`all`) or across one environment's regions. */
  | { kind: "equal"; fact: ComparableFact; across: "all" | "regions" }
  /** An environment with `promotesFrom` runs a digest whose gate passed there (or that it runs now). */
  | { kind: "promoted-digest" }
  /** The serving revision carries a passed gate record. */
  | { kind: "gate-passed" }
  | { kind: "service-deployed" }
  /** Request timeout at least `min` seconds: Cloud Run cuts WebSocket connections at the timeout. */
  | { kind: "min-timeout"; min: number }
  /** Session affinity on wherever Socket.IO may fall back to long-polling. */
  | { kind: "affinity-with-polling" }
  /** More than one instance needs a cross-instance broadcast (a Redis adapter or similar). */
  | { kind: "broadcast-adapter"; envKeys: string[] }
  | { kind: "health-reachable" }
  /** /health reports the version recorded on the serving revision. */
  | { kind: "health-version" }
  /** The web runtime config names this environment's own server. */
  | { kind: "web-server-url" }
  /** The web runtime config could be read, so web-server-url had something to compare. */
  | { kind: "web-reachable" }
  /** Dockerfile, dev script and cloudbuild.yaml start the same server file. */
  | { kind: "source-entry-equal" }
  | { kind: "source-entry-known" }
  /** Env files set the same keys (schema `environmentSpecific` keys excepted). */
  | { kind: "env-file-keys-equal" }
  /** The Dockerfile can build the production tree's native addons and carries them into the runtime stage. */
  | { kind: "native-deps-buildable" }
  /** The server listens on 0.0.0.0, not on a loopback address (Cloud Run's container contract). */
  | { kind: "listen-all-interfaces" }
  /** Nothing in CI or scripts deploys to Cloud Run or moves its traffic around the gate. */
  | { kind: "deploys-through-gate" }
  /** No two environments' env files point one variable at the same private backend, unless declared shared. */
  | { kind: "shared-backend" };

export type RuleSpec = RuleKind & {
  id: string;
  /** One line shown next to findings and in `--json`. */
  title: string;
  severity: RuleSeverity;
  /** `source` rules also run with `--source`; `live` rules need the Cloud Run facts. */
  scope: "live" | "source";
  /** Keys (env rules) that may differ. */
  ignore?: string[];
  /** Environments the rule applies to; all when absent. */
  environments?: string[];
};

/** A repo's change to one rule, from environments/drift.yaml; a reason is mandatory. */
export interface RuleOverride {
  rule: string;
  severity?: RuleSeverity;
  environments?: string[];
  ignore?: string[];
  min?: number;
  envKeys?: string[];
  reason: string;
  location: SourceLocation;
}

/** A fact the repo declares because it can't be seen from outside (e.g. a Redis adapter in code). */
interface BroadcastDeclaration {
  adapter: string;
  environments?: string[];
  reason: string;
  location: SourceLocation;
}

export interface DriftPolicy {
  overrides: RuleOverride[];
  broadcast: BroadcastDeclaration | undefined;
  file: string | undefined;
}

export const emptyPolicy: DriftPolicy = { overrides: [], broadcast: undefined, file: undefined };

export type FindingSeverity = "error" | "warning";

export interface Finding {
  rule: string;
  severity: FindingSeverity;
  /** The matrix row it is about (`env.keys:REDIS_URL`, `digest`, `source.entry`). */
  fact: string;
  /** Matrix columns involved; empty for source findings. */
  columns: string[];
  message: string;
  hint?: string;
  location?: SourceLocation;
}

/** The rule as it ran: defaults with the repo's override applied. */
export interface AppliedRule {
  id: string;
  title: string;
  severity: RuleSeverity;
  defaultSeverity: RuleSeverity;
  override?: { reason: string; location: SourceLocation };
}

interface RuleInput {
  facts: DriftFacts;
  policy: DriftPolicy;
}

/** What an evaluator returns; the engine adds rule id and severity. */
export type RawFinding = Omit<Finding, "rule" | "severity"> & { severity?: FindingSeverity };

export type RuleEvaluator<C extends RuleKind = RuleKind> = (
  rule: RuleSpec & C,
  input: RuleInput,
) => RawFinding[];

/** Applies an override to a rule spec; pure. */
export function applyOverride(rule: RuleSpec, override: RuleOverride | undefined): RuleSpec {
  if (!override) return rule;
  const next = { ...rule } as RuleSpec & Record<string, unknown>;
  if (override.severity) next.severity = override.severity;
  if (override.environments) next.environments = override.environments;
  if (override.ignore) next.ignore = override.ignore;
  if (override.min !== undefined && next.kind === "min-timeout") next.min = override.min;
  if (override.envKeys && next.kind === "broadcast-adapter") next.envKeys = override.envKeys;
  return next;
}
