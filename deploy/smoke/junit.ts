import type { SmokeResult } from "./result.js";

/** JUnit XML for CI: one testsuite, one testcase per check; a failure's message is the check's detail. */
export function renderJunit(result: SmokeResult): string {
  const failures = result.checks.filter((check) => check.status === "failed").length;
  const skipped = result.checks.filter((check) => check.status === "skipped").length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suiteName = `echogate smoke ${result.url}`;
  const cases = result.checks.map((check) => {
    const open = `    <testcase classname="echogate.smoke" name="${escapeXml(check.name)}" time="${seconds(check.ms)}"`;
    if (check.status === "passed") {
      return `${open}>\n      <system-out>${escapeXml(check.detail)}</system-out>\n    </testcase>`;
    }
    if (check.status === "skipped")
      return `${open}>\n      <skipped message="${escapeXml(check.detail)}"/>\n    </testcase>`;
    return `${open}>\n      <failure message="${escapeXml(check.detail)}" type="smoke.${check.name}">${escapeXml(check.detail)}</failure>\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="echogate smoke" tests="${result.checks.length}" failures="${failures}" skipped="${skipped}" time="${seconds(result.ms)}">`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${result.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(result.ms)}">`,
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
