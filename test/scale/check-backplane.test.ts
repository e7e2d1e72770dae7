import { describe, expect, it } from "vitest";
import type { CheckProblem } from "../../deploy/cli/api.js";
import { promotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";

function staging(edit: (yaml: string) => string) {
  return promotionProject((files) => {
    files["environments/staging.yaml"] = edit(files["environments/staging.yaml"]!);
  });
}

const service = (yaml: string, lines: string) =>
  yaml.replace("  envFile: .env.staging\n", `  envFile: .env.staging\n${lines}`);

async function problems(project: string): Promise<{ exitCode: number; problems: CheckProblem[] }> {
  const result = await runEchogate(["check", "--json"], { cwd: project });
  return { exitCode: result.exitCode, problems: result.json<{ problems: CheckProblem[] }>().problems };
}

describe("check refuses scale-out without a backplane", () => {
  it("maxInstances > 1 without service.backplane: redis, at file:line:key", async () => {
    const project = await staging((yaml) => service(yaml, "  maxInstances: 3\n"));
    const { exitCode, problems: found } = await problems(project);
    expect(exitCode).toBe(2);
    const problem = found.find((p) => p.code === "config.backplane-required")!;
    expect(problem).toMatchObject({
      file: "environments/staging.yaml",
      line: 9,
      keyPath: "service.maxInstances",
    });
    expect(problem.message).toContain("a message sent on one instance never reaches clients on another");
  });

  it("partial rollout steps without a backplane, saying users on two revisions can't see each other", async () => {
    const project = await staging(
      (yaml) => `${service(yaml, "  backplane: none\n")}rollout:\n  steps: [10, 50, 100]\n`,
    );
    const { exitCode, problems: found } = await problems(project);
    expect(exitCode).toBe(2);
    const problem = found.find((p) => p.code === "config.backplane-required")!;
    expect(problem.keyPath).toBe("rollout.steps");
    expect(problem.message).toContain("can't see each other's messages");
  });

  it("accepts both with service.backplane: redis", async () => {
    const project = await staging(
      (yaml) =>
        `${service(yaml, "  maxInstances: 3\n  minInstances: 2\n  backplane: redis\n")}rollout:\n  steps: [10, 100]\n`,
    );
    const { problems: found } = await problems(project);
    expect(found.filter((p) => p.code === "config.backplane-required")).toEqual([]);
  });

  it("deploy refuses such an environment before touching the platform", async () => {
    const project = await staging((yaml) => service(yaml, "  maxInstances: 3\n"));
    const result = await runEchogate(["deploy", "staging", "--image", `sha256:${"a".repeat(64)}`], {
      cwd: project,
      env: { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9" },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("environments/staging.yaml:9");
  });
});
