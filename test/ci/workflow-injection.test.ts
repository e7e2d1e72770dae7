import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { shellCommand, shellQuote } from "../../deploy/core/shell-quote.js";
import { previewMarkdown } from "../../deploy/preview/deploy-preview.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = resolve(import.meta.dirname, "../..");
const WORKFLOWS = join(ROOT, ".github/workflows");

/** Every `${{ … }}` expression GitHub would paste into a script before the shell sees it. */
function scriptExpressions(workflowText: string, file: string): string[] {
  const doc = parse(workflowText) as { jobs?: Record<string, { steps?: Record<string, unknown>[] }> };
  const found: string[] = [];
  for (const [job, { steps = [] }] of Object.entries(doc.jobs ?? {})) {
    steps.forEach((step, index) => {
      // `run:` is shell; actions/github-script's `script:` is JavaScript: both are code.
      const with_ = (step.with ?? {}) as Record<string, unknown>;
      for (const code of [step.run, with_.script]) {
        if (typeof code !== "string") continue;
        for (const match of code.matchAll(/\$\{\{([^}]*)\}\}/g))
          found.push(`${file} jobs.${job}.steps[${index}]: \${{${match[1]}}}`);
      }
    });
  }
  return found;
}

describe("shipped GitHub workflows", () => {
  const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));

  it("paste no ${{ … }} expression (github.*, github.event.*, inputs.*, …) into a run: script", () => {
    expect(files.length).toBeGreaterThan(0);
    const found = files.flatMap((file) =>
      scriptExpressions(readFileSync(join(WORKFLOWS, file), "utf8"), file),
    );
    expect(found).toEqual([]);
  });

  it("the scan finds the injection it is there for", () => {
    const bad = [
      "jobs:",
      "  a:",
      "    steps:",
      '      - run: echo "${{ github.head_ref }}"',
      "      - uses: actions/github-script@v7",
      "        with:",
      "          script: console.log('${{ github.event.pull_request.title }}')",
      "      - env:",
      "          BRANCH: ${{ github.head_ref }}",
      '        run: echo "$BRANCH"',
    ].join("\n");
    expect(scriptExpressions(bad, "x.yml")).toEqual([
      "x.yml jobs.a.steps[0]: ${{ github.head_ref }}",
      "x.yml jobs.a.steps[1]: ${{ github.event.pull_request.title }}",
    ]);
  });
});

/** Runs `command` in a real POSIX shell where `echogate` prints its arguments one per line (NUL-separated). */
function argumentsSeenBySh(command: string, cwd: string): string[] {
  const out = execFileSync("sh", ["-c", `echogate() { printf '%s\\0' "$@"; }\n${command}`], { cwd });
  return out.toString("utf8").split("\0").slice(0, -1);
}

const HOSTILE = [
  "fix;touch${IFS}pwned;#",
  "a$(touch pwned)",
  "`touch pwned`",
  "it's",
  'say "hi"',
  "line\nbreak",
  "tab\there",
  "",
  "-n",
  "ünï/cødé",
  "$HOME",
  "back\\slash",
];

describe("shell quoting of suggested commands", () => {
  it.each(HOSTILE)("a POSIX shell reads %j back as one argument, running nothing", async (word) => {
    const cwd = await testdir({});
    expect(argumentsSeenBySh(shellCommand(["echogate", "x", word, "y"]), cwd)).toEqual(["x", word, "y"]);
    expect(existsSync(join(cwd, "pwned"))).toBe(false);
  });

  it("leaves plain words alone", () => {
    expect(shellQuote("feature/login-2")).toBe("feature/login-2");
    expect(shellQuote("sha256:abc")).toBe("sha256:abc");
    expect(shellCommand(["echogate", "deploy", "staging"])).toBe("echogate deploy staging");
  });

  it("the preview comment's cleanup command, pasted into a shell, deletes that branch's preview and nothing else", async () => {
    const branch = "fix;touch${IFS}pwned;#";
    const markdown = previewMarkdown({
      id: "fix-touch",
      branch,
      service: "chat-pr-fix",
      serverUrl: "https://chat-pr-fix-abc-uc.a.run.app",
      version: "1.0.0+abc",
      expireTime: "2026-12-01T00:00:00Z",
      serverGate: { ok: true, checks: [{ name: "health" }] },
    } as unknown as Parameters<typeof previewMarkdown>[0]);
    const suggested = /Delete early with (`+) ?(.+?) ?\1/.exec(markdown)?.[2];
    expect(suggested).toBeDefined();
    const cwd = await testdir({});
    expect(argumentsSeenBySh(suggested!, cwd)).toEqual(["preview", "cleanup", "--branch", branch, "--yes"]);
    expect(existsSync(join(cwd, "pwned"))).toBe(false);
  });

  it("a branch with backticks can't break out of the comment's code spans", () => {
    const branch = "x`<img src=y>`";
    const markdown = previewMarkdown({
      id: "x",
      branch,
      service: "chat-pr-x",
      serverUrl: "https://chat-pr-x-abc-uc.a.run.app",
      expireTime: "2026-12-01T00:00:00Z",
      serverGate: { ok: true, checks: [] },
    } as unknown as Parameters<typeof previewMarkdown>[0]);
    const heading = markdown.split("\n")[0]!;
    expect(heading).toBe("### Preview for `` x`<img src=y>` ``");
  });
});
