import { describe, expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const broken = "kind: staging\nservice:\n  project: demo\n  colour: blue\n";

describe("status with a broken environment file", () => {
  it("shows the environment as broken with the error, and exits 2 (--json)", async () => {
    const cwd = await testdir({ "environments/staging.yaml": broken });
    const run = await runEchogate(["status", "--json"], { cwd });
    expect(run.exitCode).toBe(2);
    const { environments } = run.json<{
      environments: {
        environment: string;
        error: { code: string; message: string; location?: object } | null;
      }[];
    }>();
    expect(environments).toEqual([
      expect.objectContaining({
        environment: "staging",
        error: expect.objectContaining({
          code: "config.invalid",
          message: expect.stringContaining("environments/staging.yaml"),
        }),
      }),
    ]);
  });

  it("prints the broken row and its first error in the table", async () => {
    const cwd = await testdir({ "environments/staging.yaml": broken });
    const run = await runEchogate(["status"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/^staging\s+broken/m);
    expect(run.stdout).toContain("staging: environments/staging.yaml");
    expect(run.stdout).toMatch(/Unknown key "colour"|Missing required key/);
  });

  it("does not read environments/smoke.yaml: a broken one is check's to report, not a row", async () => {
    const cwd = await testdir({
      "environments/staging.yaml": broken,
      "environments/smoke.yaml": "echo: [unclosed\n",
    });
    const run = await runEchogate(["status", "--json"], { cwd });
    expect(run.exitCode).toBe(2);
    const { environments } = run.json<{ environments: { environment: string }[] }>();
    expect(environments.map((row) => row.environment)).toEqual(["staging"]);
  });
});
