import type { Diagnostic } from "../core/diagnostics.js";
import { formatDiagnostic } from "../core/diagnostics.js";
import type { StepRecord } from "../core/output.js";
import type { PromotionOutcome } from "../promote/promotion-outcome.js";
import { escapeXml } from "../smoke/junit.js";

// JUnit XML as `smoke --junit` writes it (same escaping), for the commands CI runs as a test step.

interface TestCase {
  classname: string;
  name: string;
  ms: number;
  /** Set: the case failed with this message. */
  failure?: string;
  out?: string;
}

interface TestSuite {
  name: string;
  cases: TestCase[];
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function renderSuites(name: string, suites: readonly TestSuite[]): string {
  const all = suites.flatMap((suite) => suite.cases);
  const failures = (cases: readonly TestCase[]) => cases.filter((c) => c.failure !== undefined).length;
  const time = (cases: readonly TestCase[]) => seconds(cases.reduce((sum, c) => sum + c.ms, 0));
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXml(name)}" tests="${all.length}" failures="${failures(all)}" time="${time(all)}">`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${failures(suite.cases)}" errors="0" skipped="0" time="${time(suite.cases)}">`,
    );
    for (const c of suite.cases) {
      const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${seconds(c.ms)}">`;
      const failure =
        c.failure !== undefined
          ? `\n      <failure message="${escapeXml(c.failure.split("\n")[0]!)}">${escapeXml(c.failure)}</failure>`
          : "";
      const out = c.out ? `\n      <system-out>${escapeXml(c.out)}</system-out>` : "";
      lines.push(`${open}${failure}${out}\n    </testcase>`);
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>", "");
  return lines.join("\n");
}

/**
 * A promotion as JUnit: one suite of its steps, one per gate it ran (a test case per check). Pure.
 */
export function renderPromotionJunit(
  command: string,
  outcome: PromotionOutcome,
  steps: readonly StepRecord[],
): string {
  const stepSuite: TestSuite = {
    name: `${command}: steps`,
    cases: steps.map((step) => ({
      classname: "echogate.promotion.step",
      name: step.name,
      ms: step.ms,
      ...(step.ok ? { out: step.detail ?? "" } : { failure: step.detail ?? "failed" }),
    })),
  };
  const gates = outcome.smoke.map((smoke, index) => ({
    name: `${command}: gate ${index + 1} (${smoke.target}, ${smoke.url})`,
    cases: smoke.checks.map((check) => ({
      classname: `echogate.promotion.gate.${smoke.target}`,
      name: check.name,
      ms: check.ms,
      ...(check.status === "failed"
        ? { failure: check.detail }
        : { out: `${check.status}: ${check.detail}` }),
    })),
  }));
  return renderSuites(command, [stepSuite, ...gates]);
}

/**
 * `check` as JUnit: a test case per environment, failed by the errors in its files (its YAML and
 * env file), and one for the project's other files. Warnings are the cases' output. Pure.
 */
export function renderCheckJunit(
  environments: ReadonlyArray<{ name: string; file: string; envFile: string | null }>,
  diagnostics: readonly Diagnostic[],
): string {
  // An environment's file that failed to load is not among `environments`: its path names it.
  const PROJECT_FILES = new Set(["echogate", "drift", "smoke", "env.schema"]);
  const owner = (diagnostic: Diagnostic): string | undefined => {
    const file = diagnostic.file;
    if (file === undefined) return undefined;
    const loaded = environments.find((e) => e.file === file || e.envFile === file);
    if (loaded) return loaded.name;
    const named = /^environments\/([^/]+)\.ya?ml$/.exec(file)?.[1];
    return named && !PROJECT_FILES.has(named) ? named : undefined;
  };
  const names = [
    ...new Set([
      ...environments.map((e) => e.name),
      ...diagnostics.map(owner).filter((name): name is string => name !== undefined),
    ]),
  ];
  const caseFor = (name: string, own: readonly Diagnostic[]): TestCase => {
    const errors = own.filter((d) => d.severity === "error").map(formatDiagnostic);
    const warnings = own.filter((d) => d.severity === "warning").map(formatDiagnostic);
    return {
      classname: "echogate.check",
      name,
      ms: 0,
      ...(errors.length > 0 ? { failure: errors.join("\n") } : {}),
      ...(warnings.length > 0 ? { out: warnings.join("\n") } : {}),
    };
  };
  const cases = names.map((name) =>
    caseFor(
      `environment ${name}`,
      diagnostics.filter((d) => owner(d) === name),
    ),
  );
  cases.push(
    caseFor(
      "project files",
      diagnostics.filter((d) => owner(d) === undefined),
    ),
  );
  return renderSuites("echogate check", [{ name: "echogate check", cases }]);
}
