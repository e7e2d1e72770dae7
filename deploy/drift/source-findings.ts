import type { Diagnostic } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { collectDriftFacts } from "./collect-drift-facts.js";
import { evaluateDrift } from "./evaluate.js";
import type { SourceDriftFacts } from "./facts.js";
import type { loadDriftPolicy } from "./policy-file.js";

interface SourceFindings {
  source: SourceDriftFacts;
  /** The findings of the source rules, as drift.yaml sets them, as diagnostics. */
  diagnostics: Diagnostic[];
}

/**
 * What `drift --source` finds, for `check`: the same facts, rules and drift.yaml (`policy`, loaded
 * once by the caller, which reports its problems), so the two never disagree about the same files.
 * With an invalid drift.yaml the rules are not judged. Undefined when the configuration is broken
 * and `configReported` (check has already reported why; drift refuses such a project outright).
 */
export async function sourceFindings(
  project: Project,
  platform: Platform,
  policy: Awaited<ReturnType<typeof loadDriftPolicy>>,
  configReported: boolean,
): Promise<SourceFindings | undefined> {
  let collected: Awaited<ReturnType<typeof collectDriftFacts>>;
  try {
    collected = await collectDriftFacts({ project, platform, sourceOnly: true });
  } catch (error) {
    if (error instanceof ConfigError && configReported) return undefined;
    throw error;
  }
  if (policy.diagnostics.hasErrors) return { source: collected.facts.source, diagnostics: [] };
  const { findings } = evaluateDrift(collected.facts, policy.policy);
  return {
    source: collected.facts.source,
    diagnostics: findings.map((finding) => ({
      severity: finding.severity,
      code: `drift.${finding.rule}`,
      message: finding.message,
      ...(finding.hint ? { hint: finding.hint } : {}),
      ...finding.location,
    })),
  };
}
