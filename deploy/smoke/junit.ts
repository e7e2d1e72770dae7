import type { SmokeCheck, SmokeResult } from "./result.js";

/** JUnit XML for CI: one testsuite, one testcase per check; a failure's message is the check's detail. */
export function renderJunit(result: SmokeResult): string {
  const rows = testcases(result);
  const failures = rows.filter((check) => check.status === "failed").length;
  const skipped = rows.filter((check) => check.status === "skipped").length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suiteName = `echogate smoke ${result.url}`;
  const cases = rows.map((check) => {
    const open = `    <testcase classname="${escapeXml(check.classname)}" name="${escapeXml(check.name)}" time="${seconds(check.ms)}"`;
    if (check.status === "passed") {
      return `${open}>\n      <system-out>${escapeXml(check.detail)}</system-out>\n    </testcase>`;
    }
    if (check.status === "skipped")
      return `${open}>\n      <skipped message="${escapeXml(check.detail)}"/>\n    </testcase>`;
    return `${open}>\n      <failure message="${escapeXml(check.detail)}" type="smoke.${check.kind}">${escapeXml(check.detail)}</failure>\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="echogate smoke" tests="${rows.length}" failures="${failures}" skipped="${skipped}" time="${seconds(result.ms)}">`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${rows.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(result.ms)}">`,
    `    <properties>`,
    ...[
      ["protocol", result.protocol],
      ["version", result.version],
      ["revision", result.revision],
      ["expectVersion", result.expectVersion],
      ["expectRevision", result.expectRevision],
      ["room", result.room],
    ]
      .filter(([, value]) => value !== null)
      .map(([name, value]) => `      <property name="${name}" value="${escapeXml(String(value))}"/>`),
    `    </properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

interface Testcase extends SmokeCheck {
  classname: string;
  /** The failure's type suffix: the check's name, or `scenario.<step kind>`. */
  kind: string;
}

/** One testcase per check, except a scenario's check: one per step of that scenario instead. */
function testcases(result: SmokeResult): Testcase[] {
  return result.checks.flatMap((check): Testcase[] => {
    const scenario = result.scenarios.find((s) => `scenario ${s.name}` === check.name);
    if (!scenario || scenario.steps.length === 0)
      return [{ ...check, classname: "echogate.smoke", kind: check.name }];
    return scenario.steps.map((step) => ({
      name: step.name,
      ok: step.status === "passed",
      status: step.status,
      ms: step.ms,
      detail: step.detail,
      classname: `echogate.smoke.scenario.${scenario.name}`,
      kind: `scenario.${step.kind}`,
    }));
  });
}

export function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
      // XML 1.0 forbids most control characters even when escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
  );
}
