import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderStatusMarkdown } from "../../deploy/cli/handlers/status.js";
import type { EnvironmentStatus } from "../../deploy/promote/status.js";
import { renderCheckJunit } from "../../deploy/report/junit.js";
import { promotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";
import { statusRow } from "../helpers/status-rows.js";

const row = statusRow({
  version: "1.0.0+abc|pipe",
  split: [
    { revision: "chat-good", percent: 90, gate: "passed" },
    { revision: "chat-new", percent: 10, gate: "passed" },
  ] as EnvironmentStatus["split"],
});

describe("status --markdown", () => {
  it("is a Markdown table with the same columns, cells escaped, and the split noted under it", () => {
    const text = renderStatusMarkdown([row]);
    const lines = text.split("\n");
    expect(lines[2]).toBe(
      "| ENVIRONMENT | VERSION | DIGEST | REVISION | TRAFFIC | GATE | URL | WEB | AGE | INSTANCES |",
    );
    expect(lines[3]).toBe("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    expect(lines[4]).toContain(
      "| production | 1.0.0+abc\\|pipe | aaaaaaaaaaaa | chat-good | 90%/10% | passed |",
    );
    expect(text).toContain("- ⚠️ **production**: traffic split");
    expect(text).not.toContain("\x1b[");
  });
});

describe("check --junit", () => {
  it("writes a test case per environment, failed by the errors in its files", async () => {
    const cwd = await promotionProject();
    const clean = await runEchogate(["check", "--junit", "check.xml"], { cwd });
    const xml = await readFile(join(cwd, "check.xml"), "utf8");
    expect(xml).toContain('<testcase classname="echogate.check" name="environment staging"');
    expect(xml).toMatch(
      new RegExp(
        `<testsuites name="echogate check" tests="\\d+" failures="${clean.exitCode === 0 ? 0 : "\\d+"}"`,
      ),
    );

    const staging = join(cwd, "environments", "staging.yaml");
    await writeFile(staging, `${await readFile(staging, "utf8")}nonsense: true\n`);
    const broken = await runEchogate(["check", "--junit", "check.xml"], { cwd });
    expect(broken.exitCode).toBe(2);
    const failed = await readFile(join(cwd, "check.xml"), "utf8");
    expect(failed).toMatch(
      /name="environment staging" time="0.000">\s*<failure message="error\[config.unknown-key\] environments\/staging.yaml:\d+:1 \(nonsense\)/,
    );
  });

  it("puts errors no environment owns under the project's files", () => {
    const xml = renderCheckJunit(
      [{ name: "staging", file: "environments/staging.yaml", envFile: ".env.staging" }],
      [
        { severity: "error", code: "x", message: "bad <schema>", file: "environments/env.schema.yaml" },
        { severity: "warning", code: "y", message: "odd", file: ".env.staging" },
      ],
    );
    expect(xml).toMatch(
      /name="environment staging" time="0.000">\s*<system-out>warning\[y\] .env.staging: odd<\/system-out>/,
    );
    expect(xml).toMatch(
      /name="project files" time="0.000">\s*<failure message="error\[x\] environments\/env.schema.yaml: bad &lt;schema&gt;">/,
    );
  });
});
