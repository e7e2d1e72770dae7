import type { DriftEvaluation } from "../evaluate.js";
import { short } from "../evaluators/scope.js";
import { entryText, envKeysOf, envValue, factValue, MISSING } from "../fact-values.js";
import type { DriftFacts, TargetFacts } from "../facts.js";
import type { FindingSeverity } from "../rules.js";

// The matrix a person reads at a glance: facts as rows, environments as columns. Pure.

type RowState = "equal" | "differs" | "allowed";

export interface MatrixCell {
  text: string;
  /** Severity of a finding naming this cell, if any. */
  flag?: FindingSeverity;
}

interface MatrixRow {
  id: string;
  label: string;
  cells: MatrixCell[];
  /** equal: one value everywhere; differs: a rule fired on it; allowed: values differ and no rule objects. */
  state: RowState;
  /** Rules that fired on this row. */
  rules: string[];
}

export interface DriftMatrix {
  columns: string[];
  rows: MatrixRow[];
}

/** The service settings compared across environments, in the order the matrix shows them. */
const SETTING_ROWS = [
  ["settings.port", "port"],
  ["settings.concurrency", "concurrency"],
  ["settings.cpu", "cpu"],
  ["settings.memory", "memory"],
  ["settings.timeoutSeconds", "request timeout"],
  ["settings.sessionAffinity", "session affinity"],
  ["settings.minInstances", "min instances"],
  ["settings.maxInstances", "max instances"],
] as const;

interface RowSpec {
  id: string;
  label: string;
  value: (t: TargetFacts) => string | undefined;
  /** false: values may differ by nature (revision names, gate results); never "allowed" drift. */
  compare?: boolean;
}

/** Live facts as rows, environments (and regions) as columns, cells flagged by the findings on them. */
export function liveMatrix(facts: DriftFacts, evaluation: DriftEvaluation): DriftMatrix {
  const targets = facts.targets;
  return {
    columns: targets.map((t) => t.column),
    rows: liveRowSpecs(targets).map((spec) => liveRow(spec, targets, evaluation)),
  };
}

function liveRowSpecs(targets: readonly TargetFacts[]): RowSpec[] {
  const specs: RowSpec[] = [
    { id: "service", label: "serving revision", value: serviceCell, compare: false },
    { id: "digest", label: "image digest", value: (t) => shortOrUndefined(factValue(t, "digest")) },
    { id: "version", label: "/health version", value: versionCell },
    {
      id: "gate",
      label: "gate",
      value: (t) => (t.status === "ok" ? (t.gate?.result ?? "none") : undefined),
      compare: false,
    },
    { id: "entry", label: "command/args", value: (t) => (t.status === "ok" ? entryText(t) : undefined) },
    ...SETTING_ROWS.map(([id, label]) => ({ id, label, value: (t: TargetFacts) => factValue(t, id) })),
  ];
  for (const key of envKeysOf(targets)) {
    specs.push({
      id: `env:${key}`,
      label: `env ${key}`,
      value: (t) => (t.status === "ok" ? (envValue(t, key) ?? MISSING) : undefined),
    });
  }
  if (targets.some((t) => t.web)) {
    specs.push({
      id: "web.serverUrl",
      label: "web → server",
      // Not read (no channel, nothing released, unreachable): unknown, and web-reachable says why.
      value: (t) => (t.web ? (t.web.status === "ok" ? t.web.serverUrl : "unknown") : undefined),
    });
  }
  return specs;
}

function liveRow(spec: RowSpec, targets: readonly TargetFacts[], evaluation: DriftEvaluation): MatrixRow {
  const texts = targets.map((t) => spec.value(t) ?? (t.status === "ok" ? MISSING : t.status));
  const findings = evaluation.findings.filter((f) => rowOf(f.fact) === spec.id);
  const cells = targets.map((target, i): MatrixCell => {
    const hits = findings.filter((f) => f.columns.includes(target.column));
    const flag = hits.some((f) => f.severity === "error") ? "error" : hits.length > 0 ? "warning" : undefined;
    // A finding about a difference names every column; flag only the cells outside the majority.
    const odd = flag && hits.every((f) => f.columns.length > 1) ? isMinority(texts, i) : true;
    return { text: texts[i]!, ...(flag && odd ? { flag } : {}) };
  });
  const differs = spec.compare !== false && new Set(texts).size > 1;
  return {
    id: spec.id,
    label: spec.label,
    cells,
    // A rule may fire on equal values (both web front ends naming staging's server); a difference
    // no rule objects to is allowed (env values, instance counts, staging ahead of production).
    state: findings.length > 0 ? "differs" : differs ? "allowed" : "equal",
    rules: [...new Set(findings.map((f) => f.rule))],
  };
}

/** The source matrix: one row per source of the server entry. */
export function sourceRows(facts: DriftFacts): Array<{ source: string; entry: string; where: string }> {
  const labels = {
    configured: "layout.serverEntry",
    dockerfile: "Dockerfile",
    devScript: "dev script",
    cloudbuild: "Cloud Build",
  } as const;
  return (Object.keys(labels) as Array<keyof typeof labels>).flatMap((key) => {
    const fact = facts.source[key];
    if (!fact) return [];
    const entry =
      key !== "configured" && facts.source.absent.includes(key) ? "(none)" : (fact.entry ?? "(unknown)");
    return [{ source: labels[key], entry, where: fact.line ? `${fact.file}:${fact.line}` : fact.file }];
  });
}

/** Env-file keys per environment: `:line` where set, `—` where missing. */
export function envFileMatrix(facts: DriftFacts, evaluation: DriftEvaluation): DriftMatrix {
  const envs = facts.environments.filter((e) => e.envFile.readable);
  const keys = [...new Set(envs.flatMap((e) => e.envFile.keys.map((k) => k.key)))].sort();
  return {
    columns: envs.map((e) => e.name),
    rows: keys.map((key) => {
      const findings = evaluation.findings.filter((f) => f.fact === `env-file.keys:${key}`);
      const cells = envs.map((e): MatrixCell => {
        const line = e.envFile.keys.find((k) => k.key === key)?.line;
        if (line) return { text: `:${line}` };
        const flag = findings.find((f) => f.location?.file === e.envFile.file)?.severity;
        return { text: MISSING, ...(flag ? { flag } : {}) };
      });
      const differs = cells.some((c) => c.text === MISSING);
      return {
        id: `env-file:${key}`,
        label: key,
        cells,
        state: differs ? (findings.length > 0 ? "differs" : "allowed") : "equal",
        rules: [...new Set(findings.map((f) => f.rule))],
      };
    }),
  };
}

function rowOf(fact: string): string {
  if (fact.startsWith("env.keys:")) return `env:${fact.slice("env.keys:".length)}`;
  if (fact.startsWith("env.values:")) return `env:${fact.slice("env.values:".length)}`;
  return fact;
}

function isMinority(texts: readonly string[], index: number): boolean {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  const mine = counts.get(texts[index]!) ?? 0;
  const max = Math.max(...counts.values());
  // On a tie every cell is suspect.
  return mine < max || [...counts.values()].filter((c) => c === max).length > 1;
}

function serviceCell(target: TargetFacts): string {
  if (target.status !== "ok") return target.status === "missing" ? "missing" : "error";
  const revision = target.servingRevision ?? "?";
  return target.servingPercent !== undefined && target.servingPercent < 100
    ? `${revision} (${target.servingPercent}%)`
    : revision;
}

function versionCell(target: TargetFacts): string | undefined {
  if (target.status !== "ok") return undefined;
  if (target.health?.status === "ok") return target.health.version ?? "(no version)";
  return target.health ? target.health.status : (target.recordedVersion ?? MISSING);
}

function shortOrUndefined(value: string | undefined): string | undefined {
  return value === undefined ? undefined : short(value, 60);
}
