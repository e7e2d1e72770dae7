import type { Diagnostic } from "../../core/diagnostics.js";
import type { DriftEvaluation } from "../evaluate.js";
import type { DriftFacts } from "../facts.js";
import type { AppliedRule, Finding } from "../rules.js";
import { type DriftMatrix, envFileMatrix, liveMatrix, sourceRows } from "./fact-matrix.js";

/** Everything a renderer needs, and the `--json` document: every fact, finding and rule. */
export interface DriftReport {
  ok: boolean;
  exitCode: number;
  mode: DriftFacts["mode"];
  counts: DriftEvaluation["counts"] & {
    platformErrors: number;
    /** Configuration files that could not be read or are invalid: the picture is incomplete. */
    configErrors: number;
  };
  findings: Finding[];
  rules: AppliedRule[];
  matrix: DriftMatrix;
  envFiles: DriftMatrix;
  source: Array<{ source: string; entry: string; where: string }>;
  facts: DriftFacts;
  policyFile: string | undefined;
  /** The configuration errors that left the picture incomplete (counted in `counts.configErrors`). */
  configProblems: Diagnostic[];
}

/**
 * Pure. Fails closed: exit 3 when a service couldn't be read, 2 when a configuration file is
 * broken (either way the picture is incomplete and "clean" would be a guess), else 1 on any error
 * finding.
 */
export function buildReport(
  facts: DriftFacts,
  evaluation: DriftEvaluation,
  policyFile?: string,
  configProblems: Diagnostic[] = [],
): DriftReport {
  const configErrors = configProblems.length;
  const platformErrors = facts.targets.filter((t) => t.status === "error").length;
  const exitCode = platformErrors > 0 ? 3 : configErrors > 0 ? 2 : evaluation.ok ? 0 : 1;
  return {
    ok: exitCode === 0,
    exitCode,
    mode: facts.mode,
    counts: { ...evaluation.counts, platformErrors, configErrors },
    findings: evaluation.findings,
    rules: evaluation.rules,
    matrix: liveMatrix(facts, evaluation),
    envFiles: envFileMatrix(facts, evaluation),
    source: sourceRows(facts),
    facts,
    policyFile,
    configProblems,
  };
}
