import { groupBy } from "../../core/group-by.js";
import {
  declaredOf,
  envKeysOf,
  envValue,
  factServiceKey,
  factValue,
  locationOf,
  MISSING,
} from "../fact-values.js";
import type { TargetFacts } from "../facts.js";
import type { RawFinding, RuleEvaluator, RuleKind } from "../rules.js";
import { listNames, short, targetsFor } from "./scope.js";

type EqualRule = Extract<RuleKind, { kind: "equal" }>;

const LABELS: Record<EqualRule["fact"], string> = {
  digest: "image digest",
  entry: "container command/args",
  "env.keys": "env keys",
  "env.values": "env value",
  "settings.port": "container port",
  "settings.concurrency": "concurrency",
  "settings.cpu": "CPU",
  "settings.memory": "memory",
  "settings.timeoutSeconds": "request timeout",
  "settings.minInstances": "min instances",
  "settings.maxInstances": "max instances",
  "settings.sessionAffinity": "session affinity",
  version: "version",
};

/** `equal`: one value per scope. Env facts compare key by key, so the finding names the key. */
export const evaluateEqual: RuleEvaluator<EqualRule> = (rule, input) => {
  const targets = targetsFor(rule, input.facts);
  const scopes = rule.across === "regions" ? [...groupBy(targets, (t) => t.environment).values()] : [targets];
  const findings: RawFinding[] = [];
  for (const scope of scopes) {
    if (scope.length < 2) continue;
    if (rule.fact === "env.keys") findings.push(...envKeyFindings(rule.ignore ?? [], scope, input));
    else if (rule.fact === "env.values") findings.push(...envValueFindings(rule.ignore ?? [], scope));
    else {
      const fact = rule.fact;
      const finding = compare(fact, LABELS[fact], scope, (t) => factValue(t, fact));
      if (finding) {
        const odd = oddOneOut(scope, (t) => factValue(t, fact) ?? MISSING);
        const location = locationOf(input.facts, odd.environment, factServiceKey[fact] ?? "name");
        findings.push(location ? { ...finding, location } : finding);
      }
    }
  }
  return findings;
};

function compare(
  fact: string,
  label: string,
  scope: readonly TargetFacts[],
  valueAt: (target: TargetFacts) => string | undefined,
): RawFinding | undefined {
  const groups = groupBy(scope, (t) => valueAt(t) ?? MISSING);
  if (groups.size < 2) return undefined;
  const parts = [...groups].map(
    ([value, members]) => `${listNames(members.map((t) => t.column))} ${short(value)}`,
  );
  return {
    fact,
    columns: scope.map((t) => t.column),
    message: `${capitalize(label)} differs: ${parts.join("; ")}.`,
  };
}

/** A target in the smallest group of values: the one most likely to be the drifted one. */
function oddOneOut(scope: readonly TargetFacts[], valueAt: (target: TargetFacts) => string): TargetFacts {
  const groups = [...groupBy(scope, valueAt).values()].sort((a, b) => a.length - b.length);
  return groups[0]![0]!;
}

function envKeyFindings(
  ignore: readonly string[],
  scope: readonly TargetFacts[],
  input: Parameters<RuleEvaluator>[1],
): RawFinding[] {
  const allowed = new Set([...ignore, ...input.facts.envSchema.environmentSpecificKeys]);
  const findings: RawFinding[] = [];
  for (const key of envKeysOf(scope)) {
    if (allowed.has(key)) continue;
    const having = scope.filter((t) => envValue(t, key) !== undefined);
    const lacking = scope.filter((t) => envValue(t, key) === undefined);
    if (lacking.length === 0) continue;
    const first = declaredOf(input.facts, lacking[0]!.environment);
    findings.push({
      fact: `env.keys:${key}`,
      columns: scope.map((t) => t.column),
      message: `${key} is set in ${listNames(having.map((t) => t.column))} but missing in ${listNames(lacking.map((t) => t.column))}.`,
      hint: `Add ${key} to ${first?.envFile.file ?? "the env file"} and redeploy, or mark it \`environmentSpecific: true\` in environments/env.schema.yaml.`,
      ...(first ? { location: first.locate("envFile") } : {}),
    });
  }
  return findings;
}

function envValueFindings(ignore: readonly string[], scope: readonly TargetFacts[]): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const key of envKeysOf(scope)) {
    if (ignore.includes(key)) continue;
    const finding = compare(`env.values:${key}`, `${key} value`, scope, (t) => envValue(t, key));
    if (finding) findings.push(finding);
  }
  return findings;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
