import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resolveCommand } from "../../deploy/cli/registry.js";
import { type Invocation, invocationProblems as problems } from "../helpers/invocation-problems.js";
import { echogateInvocations, shellWords } from "./shell-invocations.js";

// Every echogate invocation the repo ships for CI must be a real command with real flags, checked
// against the CLI registry's metadata (so a renamed flag breaks this test, not a release).

const ROOT = resolve(import.meta.dirname, "../..");
const WORKFLOWS = join(ROOT, ".github/workflows");

interface ActionStep {
  uses?: string;
  with?: Record<string, string>;
}

/** A step using this repository's action.yml: the arguments scripts/action/run.mjs passes (without --json). */
function actionInvocation(step: ActionStep): string[] | undefined {
  if (step.uses !== "./") return undefined;
  const inputs = step.with ?? {};
  return [
    ...String(inputs.command ?? "").split(" "),
    ...(inputs.environment ? [inputs.environment] : []),
    ...(inputs.image ? ["--image", inputs.image] : []),
    ...String(inputs.args ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
  ];
}

function workflowInvocations(): Invocation[] {
  const found: Invocation[] = [];
  for (const file of readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name))) {
    const doc = parse(readFileSync(join(WORKFLOWS, file), "utf8")) as {
      jobs?: Record<string, { steps?: unknown[] }>;
    };
    expect(doc.jobs, `${file} has jobs`).toBeTruthy();
    for (const [job, { steps = [] }] of Object.entries(doc.jobs ?? {})) {
      steps.forEach((step, index) => {
        const action = actionInvocation(step as ActionStep);
        if (action) found.push({ where: `${file} jobs.${job}.steps[${index}] (uses: ./)`, words: action });
        const run = (step as { run?: unknown }).run;
        if (typeof run !== "string") return;
        for (const words of echogateInvocations(run))
          found.push({ where: `${file} jobs.${job}.steps[${index}]`, words });
      });
    }
  }
  return found;
}

function cloudbuildInvocations(): Invocation[] {
  const doc = parse(readFileSync(join(ROOT, "cloudbuild.yaml"), "utf8")) as {
    steps: Array<{ id?: string; args?: unknown }>;
  };
  return doc.steps.flatMap((step, index) => {
    const args = Array.isArray(step.args) ? step.args.map(String) : [];
    const script = args[args.indexOf("-c") + 1];
    if (!args.includes("-c") || !script) return [];
    return echogateInvocations(script).map((words) => ({
      where: `cloudbuild.yaml steps[${index}] (${step.id})`,
      words,
    }));
  });
}

describe("CI files shipped in the repo", () => {
  const workflows = workflowInvocations();
  const cloudbuild = cloudbuildInvocations();

  it("find the invocations they contain", () => {
    const names = new Set(workflows.map((i) => resolveCommand(i.words)?.command.name ?? i.words.join(" ")));
    for (const expected of ["drift", "preview deploy", "preview cleanup", "deploy", "promote", "check"]) {
      expect(names, `a workflow runs echogate ${expected}`).toContain(expected);
    }
    expect(workflows.some((i) => i.words.includes("--source"))).toBe(true);
    expect(cloudbuild.length).toBe(1);
  });

  it("use only real commands and real flags (read from deploy/cli/registry.ts)", () => {
    expect([...workflows, ...cloudbuild].flatMap(problems)).toEqual([]);
  });

  it("would catch a wrong flag or command", () => {
    expect(problems({ where: "t", words: ["drift", "--sources"] })).toEqual([
      expect.stringContaining("has no --sources"),
    ]);
    expect(problems({ where: "t", words: ["promote"] })).toEqual([
      expect.stringContaining("Missing argument"),
    ]);
    expect(problems({ where: "t", words: ["dirft"] })).toEqual([expect.stringContaining("is not a command")]);
  });
});

describe("shell invocation parsing", () => {
  it("handles npx, quotes, continuations, expressions, redirections and operators", () => {
    const script = [
      'npx echogate drift --env staging --markdown >> "$GITHUB_STEP_SUMMARY"',
      'gh pr comment 1 || npx --yes echogate preview cleanup --branch "${{ github.head_ref }}" \\',
      "  --yes 2>&1 | tee log",
      "echo echogate # echogate drift --nope",
    ].join("\n");
    expect(echogateInvocations(script)).toEqual([
      ["drift", "--env", "staging", "--markdown"],
      ["preview", "cleanup", "--branch", "${{ github.head_ref }}", "--yes"],
    ]);
    expect(shellWords("a 'b c' \"d\"e")).toEqual(["a", "b c", "de"]);
  });
});
