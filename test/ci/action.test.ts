import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { testdir } from "../helpers/testdir.js";

// action.yml's step (scripts/action/run.mjs) as the runner starts it: inputs as INPUT_* variables,
// $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files, the CLI's exit code as the step's.

const ROOT = resolve(import.meta.dirname, "../..");
const RUN = join(ROOT, "scripts/action/run.mjs");

interface OutputsModule {
  OUTPUT_NAMES: string[];
  actionOutputs(result: unknown): Record<string, string>;
  outputFileText(outputs: Record<string, string>, delimiter?: string): string;
}
const outputsModule = () => import(join(ROOT, "scripts/action/outputs.mjs")) as Promise<OutputsModule>;

/** $GITHUB_OUTPUT as the runner reads it (the `name<<DELIMITER` form). */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

async function runAction(cwd: string, inputs: Record<string, string>) {
  const dir = await testdir({ "output.txt": "", "summary.md": "# earlier step\n" });
  const run = await execa(process.execPath, [RUN], {
    cwd,
    env: {
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      ),
      GITHUB_OUTPUT: join(dir, "output.txt"),
      GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
      GITHUB_ACTION_PATH: ROOT,
      NO_COLOR: "1",
    },
    reject: false,
    timeout: 60_000,
  });
  return {
    run,
    outputs: readOutputs(await readFile(join(dir, "output.txt"), "utf8")),
    summary: await readFile(join(dir, "summary.md"), "utf8"),
  };
}

describe("action.yml", () => {
  it("declares the inputs and the outputs its step writes", async () => {
    const action = parse(await readFile(join(ROOT, "action.yml"), "utf8")) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, { value: string }>;
      runs: { using: string; steps: { id: string; env: Record<string, string>; run: string }[] };
    };
    expect(Object.keys(action.inputs)).toEqual([
      "command",
      "environment",
      "image",
      "working-directory",
      "args",
    ]);
    const { OUTPUT_NAMES } = await outputsModule();
    expect(Object.keys(action.outputs)).toEqual(OUTPUT_NAMES);
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
    // Inputs reach the script as environment variables, never pasted into it.
    const [step] = action.runs.steps;
    expect(step!.run).not.toContain("${{");
    expect(step!.env).toEqual({
      INPUT_COMMAND: "${{ inputs.command }}",
      INPUT_ENVIRONMENT: "${{ inputs.environment }}",
      INPUT_IMAGE: "${{ inputs.image }}",
      INPUT_ARGS: "${{ inputs.args }}",
    });
  });

  it("runs `check --json` in the project and writes its outputs and a summary", async () => {
    const cwd = await testdir(validEnvProject());
    const { run, outputs, summary } = await runAction(cwd, {
      command: "check",
      environment: "",
      args: "--env\nstaging",
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(outputs).toMatchObject({ ok: "true", url: "", revision: "", gate: "" });
    const result = JSON.parse(outputs.json!) as { ok: boolean; schemaVersion: number };
    expect(result).toMatchObject({ ok: true, schemaVersion: 1 });
    expect(JSON.parse(run.stdout)).toEqual(result);
    expect(summary).toBe("# earlier step\n### ✅ `echogate check --env staging` (exit 0)\n\n");
  });

  it("fails the step with the CLI's exit code, the error in the summary and ok=false", async () => {
    const files = validEnvProject();
    const cwd = await testdir({ ...files, "environments/staging.yaml": "service: [not, a, mapping]\n" });
    const { run, outputs, summary } = await runAction(cwd, { command: "check" });
    expect(run.exitCode).toBe(2);
    expect(outputs.ok).toBe("false");
    expect(JSON.parse(outputs.json!)).toMatchObject({ ok: false, schemaVersion: 1 });
    expect(summary).toContain("### ❌ `echogate check` (exit 2)");
  });

  it("refuses a command input that is not a command (exit 2, nothing run)", async () => {
    const cwd = await testdir({});
    const { run, outputs } = await runAction(cwd, { command: "deploy; rm -rf /" });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("::error::The command input");
    expect(outputs).toEqual({});
  });

  it("maps deploy, failed-gate, preview and build results to url, revision, digest, version, gate", async () => {
    const { actionOutputs } = await outputsModule();
    const outcome = {
      ok: true,
      url: "https://chat-staging-x.a.run.app",
      revision: "chat-staging-00002-abc",
      digest: "sha256:aa",
      version: "1.2.0+abc1234",
      smoke: [],
    };
    expect(actionOutputs({ ok: true, schemaVersion: 1, plan: {}, outcome })).toMatchObject({
      ok: "true",
      url: outcome.url,
      revision: outcome.revision,
      digest: "sha256:aa",
      version: "1.2.0+abc1234",
      gate: "passed",
    });
    const failed = {
      ok: false,
      schemaVersion: 1,
      error: { code: "promote.gate-failed", details: { ...outcome, ok: false } },
    };
    expect(actionOutputs(failed)).toMatchObject({ ok: "false", gate: "failed", revision: outcome.revision });
    const preview = {
      serverUrl: "https://p.a.run.app",
      version: "1.0.0",
      serverGate: { ok: true, checks: [] },
    };
    expect(actionOutputs(preview)).toMatchObject({ ok: "true", url: "https://p.a.run.app", gate: "passed" });
    const build = { ok: true, digest: "sha256:bb", imageRef: "r/i@sha256:bb", version: "2.0.0" };
    expect(actionOutputs(build)).toMatchObject({ digest: "sha256:bb", image: "r/i@sha256:bb", gate: "" });
    const smoke = { ok: false, url: "wss://s", version: null, revision: null, checks: [{}] };
    expect(actionOutputs(smoke)).toMatchObject({ ok: "false", gate: "failed", url: "wss://s", version: "" });
  });

  it("writes multi-line values safely (a value can't end the output early)", async () => {
    const { outputFileText } = await outputsModule();
    const text = outputFileText({ json: '{\n "a": "x\\ny"\n}', url: "" }, "EOF_1");
    expect(readOutputs(text)).toEqual({ json: '{\n "a": "x\\ny"\n}', url: "" });
    expect(() => outputFileText({ json: "EOF_1" }, "EOF_1")).toThrow(/delimiter/);
  });
});
