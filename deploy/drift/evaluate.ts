import { defaultRules } from "./default-rules.js";
import { evaluators } from "./evaluators/index.js";
import type { DriftFacts } from "./facts.js";
import {
  type AppliedRule,
  applyOverride,
  type DriftPolicy,
  emptyPolicy,
  type Finding,
  type RuleEvaluator,
  type RuleSpec,
} from "./rules.js";

export interface DriftEvaluation {
  ok: boolean;
  findings: Finding[];
  rules: AppliedRule[];
  counts: { errors: number; warnings: number };
}

/** Pure: facts and the repo's policy in, findings out. `--source` facts run only the source rules. */
export function evaluateDrift(
  facts: DriftFacts,
  policy: DriftPolicy = emptyPolicy,
  rules: readonly RuleSpec[] = defaultRules,
): DriftEvaluation {
  const findings: Finding[] = [];
  const applied: AppliedRule[] = [];
  for (const base of rules) {
    if (facts.mode === "source" && base.scope === "live") continue;
    const override = policy.overrides.find((candidate) => candidate.rule === base.id);
    const rule = applyOverride(base, override);
    applied.push({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      defaultSeverity: base.severity,
      ...(override ? { override: { reason: override.reason, location: override.location } } : {}),
    });
    if (rule.severity === "off") continue;
    const evaluate = evaluators[rule.kind] as RuleEvaluator;
    for (const raw of evaluate(rule, { facts, policy })) {
      findings.push({ rule: rule.id, ...raw, severity: raw.severity ?? rule.severity });
    }
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  return {
    ok: errors === 0,
    findings,
    rules: applied,
    counts: { errors, warnings: findings.length - errors },
  };
}
