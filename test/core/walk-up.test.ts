import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

describe("the project is the nearest directory holding environments/", () => {
  it("from a subfolder, works on the project above and says which one on stderr", async () => {
    const project = await testdir({ ...validEnvProject(), "server/src/main.js": "" });
    const run = await runEchogate(["check"], { cwd: join(project, "server", "src") });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `Using the project in ${project} (the nearest directory holding environments/`,
    );
    expect(run.stdout).not.toContain("Using the project");
    expect(run.stdout).toContain("check passed");
  });

  it("with --json, the notice is an NDJSON event and stdout stays one JSON document", async () => {
    const project = await testdir({ ...validEnvProject(), "server/main.js": "" });
    const run = await runEchogate(["check", "--json"], { cwd: join(project, "server") });
    expect(run.exitCode).toBe(0);
    expect(run.json<{ environments: unknown[] }>().environments).toHaveLength(4);
    const notices = run.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { event: string; projectDir?: string })
      .filter((event) => event.event === "notice");
    expect(notices).toEqual([expect.objectContaining({ projectDir: project })]);
  });

  it("run from the project itself: no notice", async () => {
    const project = await testdir(validEnvProject());
    const run = await runEchogate(["check"], { cwd: project });
    expect(run.stderr).not.toContain("Using the project");
  });

  it("--cwd still wins over the walk-up", async () => {
    const outer = await testdir({ ...validEnvProject(), "inner/package.json": "{}" });
    await mkdir(join(outer, "inner", "sub"), { recursive: true });
    const run = await runEchogate(["check", "--cwd", join(outer, "inner")], {
      cwd: join(outer, "inner", "sub"),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`No environments/ directory in ${join(outer, "inner")}`);
  });
});
