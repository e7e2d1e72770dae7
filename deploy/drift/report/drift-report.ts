import type { DriftEvaluation } from "../evaluate.js";
import type { DriftFacts } from "../facts.js";
import type { AppliedRule, Finding } from "../rules.js";
import { type DriftMatrix, envFileMatrix, liveMatrix, sourceRows } from "./matrix.js";

/** Everything a renderer needs, and the `--json` document: every fact, finding and rule. */
export interface DriftReport {
  ok: boolean;
  exitCode: number;
  mode: DriftFacts["mode"];
  counts: DriftEvaluation["counts"] & { platformErrors: number };
  findings: Finding[];
  rules: AppliedRule[];
  matrix: DriftMatrix;
  envFiles: DriftMatrix;
  source: Array<{ source: string; entry: string; where: string }>;
  facts: DriftFacts;
  policyFile: string | undefined;
}

/** Pure: exit 3 when a service couldn't be read (the picture is incomplete), else 1 on any error finding. */
export function buildReport(
  facts: DriftFacts,
  evaluation: DriftEvaluation,
  policyFile?: string,
): DriftReport {
  const platformErrors = facts.targets.filter((t) => t.status === "error").length;
  const exitCode = platformErrors > 0 ? 3 : evaluation.ok ? 0 : 1;
  return {
    ok: exitCode === 0,
    exitCode,
    mode: facts.mode,
    counts: { ...evaluation.counts, platformErrors },
    findings: evaluation.findings,
    rules: evaluation.rules,
    matrix: liveMatrix(facts, evaluation),
    envFiles: envFileMatrix(facts, evaluation),
    source: sourceRows(facts),
    facts,
    policyFile,
  };
}
