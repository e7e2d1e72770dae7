import { describe, expect, it } from "vitest";
import type { ScanFinding } from "../../deploy/hosting/bundle-scan.js";
import { applyScanAccepts, BUNDLE_SCAN_FILE, parseScanAccepts } from "../../deploy/hosting/scan-accept.js";

const finding = (overrides: Partial<ScanFinding>): ScanFinding => ({
  file: "/_next/static/chunks/app/page-1.js",
  offset: 10,
  line: 1,
  column: 11,
  match: "localhost:3001",
  label: "a loopback address in a URL",
  severity: "error",
  kind: "loopback",
  ...overrides,
});

const FILE = `version: 1
accept:
  - host: localhost:3001
    files: ["/_next/static/chunks/app/*.js"]
    environments: [staging]
    reason: The debug page talks to a developer's own server.
  - host: Maps-API-abcdefghij-uc.a.run.app
    reason: A third-party API on Cloud Run.
`;

describe("environments/bundle-scan.yaml", () => {
  it("accepts a finding by host, file glob and environment, and keeps the reason and line", () => {
    const { accepts, diagnostics } = parseScanAccepts(BUNDLE_SCAN_FILE, FILE, ["staging", "production"]);
    expect(diagnostics.items).toEqual([]);
    const findings = [
      finding({}),
      finding({ file: "/_next/static/chunks/452-8d.js" }),
      finding({ match: "maps-api-abcdefghij-uc.a.run.app", kind: "unknown-run-app", severity: "warning" }),
    ];
    const staging = applyScanAccepts(findings, accepts, "staging");
    expect(staging.accepted.map((a) => [a.finding.file, a.reason, a.acceptedBy])).toEqual([
      [
        "/_next/static/chunks/app/page-1.js",
        "The debug page talks to a developer's own server.",
        `${BUNDLE_SCAN_FILE}:3`,
      ],
      ["/_next/static/chunks/app/page-1.js", "A third-party API on Cloud Run.", `${BUNDLE_SCAN_FILE}:7`],
    ]);
    expect(staging.remaining.map((f) => f.file)).toEqual(["/_next/static/chunks/452-8d.js"]);
    // Another environment: the first entry does not apply.
    expect(applyScanAccepts(findings, accepts, "production").remaining).toHaveLength(2);
  });

  it("never accepts another environment's server or a secret's value", () => {
    const { accepts } = parseScanAccepts(
      BUNDLE_SCAN_FILE,
      "accept:\n  - host: chat-staging-hfttiarlja-uc.a.run.app\n    reason: we know\n",
    );
    const findings = [
      finding({ match: "chat-staging-hfttiarlja-uc.a.run.app", kind: "other-environment" }),
      finding({ match: "chat-staging-hfttiarlja-uc.a.run.app", kind: "secret" }),
    ];
    expect(applyScanAccepts(findings, accepts, "production").accepted).toEqual([]);
  });

  it("refuses an entry without a reason, an unknown key and an unknown environment, naming the line", () => {
    const { diagnostics } = parseScanAccepts(
      BUNDLE_SCAN_FILE,
      "accept:\n  - host: localhost:3001\n    file: /x.js\n",
      ["staging"],
    );
    const messages = diagnostics.items.map((d) => `${d.line} ${d.message}`).join("\n");
    expect(messages).toMatch(/reason/);
    expect(messages).toMatch(/file/);
    const unknown = parseScanAccepts(
      BUNDLE_SCAN_FILE,
      "accept:\n  - host: localhost:3001\n    environments: [stagin]\n    reason: x\n",
      ["staging"],
    );
    expect(unknown.diagnostics.items[0]).toMatchObject({ code: "scan.unknown-environment", line: 3 });
  });
});
