import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { echogateInvocations } from "../drift/shell-invocations.js";
import { invocationProblems } from "../helpers/invocation-problems.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// The README is where users copy commands and config from: both must stay true.

const ROOT = resolve(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

function codeBlocks(language: string): string[] {
  return [...README.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]!);
}

describe("README.md", () => {
  it("shows only real echogate commands with real flags", () => {
    const invocations = codeBlocks("sh").flatMap((block, index) =>
      echogateInvocations(block).map((words) => ({ where: `README sh block ${index + 1}`, words })),
    );
    expect(invocations.length).toBeGreaterThan(15);
    expect(invocations.flatMap(invocationProblems)).toEqual([]);
  });

  it("shows an environment config that passes `echogate check` as written", async () => {
    const example = codeBlocks("yaml").find((block) => block.startsWith("# environments/production.yaml"));
    expect(example).toBeDefined();
    const files: Record<string, string> = {};
    for (const name of readdirSync(join(ROOT, "environments")))
      files[`environments/${name}`] = readFileSync(join(ROOT, "environments", name), "utf8");
    files["environments/production.yaml"] = example!;
    const run = await runEchogate(["check"], { cwd: await testdir(files) });
    expect(run.exitCode, run.stderr).toBe(0);
  });
});
