import { describe, expect, it } from "vitest";
import type { CheckProblem } from "../../deploy/cli/api.js";
import { brokenVariants, SECRET_VALUES, validEnvProject } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe("echogate check", () => {
  it("passes a valid four-environment project and prints the matrix with secrets masked", async () => {
    const cwd = await testdir(validEnvProject());
    const run = await runEchogate(["check"], { cwd });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/KEY\s+local\s+preview\s+staging\s+production/);
    expect(run.stdout).toMatch(/SESSION_SECRET\s+\*\*\*\s+\*\*\*\s+\*\*\*\s+\*\*\*/);
    expect(run.stdout).toContain("NEXT_PUBLIC_SIGNALING_SERVER (public)");
    expect(run.stdout).toContain("✔ check passed: 0 errors, 0 warnings in 4 environments");
  });

  it("gives the documented JSON shape", async () => {
    const cwd = await testdir(validEnvProject());
    const run = await runEchogate(["check", "--json"], { cwd });
    expect(run.exitCode).toBe(0);
    const json = run.json<{
      ok: boolean;
      environments: { name: string }[];
      matrix: Record<string, Record<string, string | null>>;
      problems: CheckProblem[];
    }>();
    expect(json.ok).toBe(true);
    expect(json.environments.map((e) => e.name)).toEqual(["local", "preview", "staging", "production"]);
    expect(json.matrix.SESSION_SECRET).toEqual({
      local: "***",
      preview: "***",
      staging: "***",
      production: "***",
    });
    expect(json.matrix.PORT).toEqual({ local: "8080", preview: null, staging: null, production: null });
    expect(json.problems).toEqual([]);
  });

  it("checks only the environments named with --env, still comparing against the others", async () => {
    const variant = brokenVariants.find((v) => v.code === "realtime-server-target.other-environment")!;
    const cwd = await testdir(variant.files());
    const staging = await runEchogate(["check", "--env", "staging", "--json"], { cwd });
    expect(staging.exitCode).toBe(0);
    expect(Object.keys(staging.json<{ matrix: Record<string, object> }>().matrix.BUILD_TARGET!)).toEqual([
      "staging",
    ]);
    const production = await runEchogate(["check", "--env", "production", "--env", "staging"], { cwd });
    expect(production.exitCode).toBe(1);
    expect(production.stderr).toContain("environments/.env.production:3");
  });

  it("refuses an unknown --env with a usage error", async () => {
    const cwd = await testdir(validEnvProject());
    const run = await runEchogate(["check", "--env", "prod"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('No environment named "prod"');
    expect(run.stderr).toContain("Known environments: local, preview, production, staging");
  });

  it("reports a missing environments/ directory as a config error", async () => {
    const cwd = await testdir({ "README.md": "hi" });
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  describe.each(brokenVariants)("$name", (variant) => {
    it(`exits ${variant.exitCode} naming the file, line and key, without a stack trace`, async () => {
      const cwd = await testdir(variant.files());
      const started = performance.now();
      const run = await runEchogate(["check"], { cwd });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(run.exitCode).toBe(variant.exitCode);
      const where = variant.line === undefined ? variant.file : `${variant.file}:${variant.line}`;
      const lines = run.stderr.split("\n").filter((line) => line.includes(`[${variant.code}`));
      expect(
        lines.some((line) => line.includes(where)),
        `no [${variant.code}…] at ${where} in:\n${run.stderr}`,
      ).toBe(true);
      if (variant.key) expect(lines.some((line) => line.includes(variant.key!))).toBe(true);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      for (const secret of Object.values(SECRET_VALUES))
        expect(run.stdout + run.stderr).not.toContain(secret);

      const json = await runEchogate(["check", "--json"], { cwd });
      expect(json.exitCode).toBe(variant.exitCode);
      const problems = json.json<{ ok: boolean; problems: CheckProblem[] }>().problems;
      const match = problems.find((p) => p.code.startsWith(variant.code) && p.file === variant.file);
      expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
      if (variant.line !== undefined) expect(match!.line).toBe(variant.line);
      expect(match!.hint).toBeTruthy();
      expect(json.stdout + json.stderr).not.toMatch(STACK_FRAME);
    });
  });
});
