import { describe, expect, it } from "vitest";
import { envFilePath, envFileText, validEnvProject, withEnv, withFile } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcQw";

async function everyOutput(files: Record<string, string | Buffer>) {
  const cwd = await testdir(files);
  const runs = await Promise.all([
    runEchogate(["check"], { cwd }),
    runEchogate(["check", "--json"], { cwd }),
    runEchogate(["check", "--env", "staging", "--json", "--debug"], { cwd }),
  ]);
  return {
    runs,
    text: runs.map((run) => run.stdout + run.stderr).join("\n"),
    exitCodes: runs.map((run) => run.exitCode),
  };
}

describe("a variable the schema does not declare", () => {
  it("is an error naming file, line and key, and its value is printed nowhere (table and --json)", async () => {
    const plain = "not-a-credential-but-undeclared";
    const staging = `${envFileText("staging")}STRIPE_SECRET=${STRIPE}\nFEATURE_FLAG_NOTE=${plain}\n`;
    const { runs, text, exitCodes } = await everyOutput(withFile(envFilePath("staging"), staging));
    expect(exitCodes).toEqual([1, 1, 1]);
    expect(text).not.toContain(STRIPE);
    expect(text).not.toContain(STRIPE.slice(0, 12));
    expect(text).not.toContain(plain);
    const json = runs[1]!.json<{
      matrix: Record<string, Record<string, string | null>>;
      problems: { code: string; file: string; line: number; keyPath: string }[];
    }>();
    expect(json.problems).toContainEqual(
      expect.objectContaining({
        code: "value-types.undeclared",
        file: envFilePath("staging"),
        line: 11,
        keyPath: "STRIPE_SECRET",
      }),
    );
    expect(json.matrix.STRIPE_SECRET).toEqual({
      local: null,
      preview: null,
      staging: "***",
      production: null,
    });
    expect(json.matrix.FEATURE_FLAG_NOTE?.staging).toBe("***");
    expect(runs[0]!.stdout).toMatch(/STRIPE_SECRET \(undeclared\)\s+-\s+-\s+\*\*\*\s+-/);
  });

  it("named __proto__ in an env file pollutes no object and is reported like any other", async () => {
    const staging = `${envFileText("staging")}__proto__=${STRIPE}\n`;
    const { runs, text } = await everyOutput(withFile(envFilePath("staging"), staging));
    expect(text).not.toContain(STRIPE.slice(0, 12));
    const json = JSON.parse(runs[1]!.stdout) as { matrix: object };
    expect(Object.hasOwn(json.matrix, "__proto__")).toBe(true);
    expect(runs[1]!.stdout).toContain('"__proto__": {');
  });
});

describe("credential-looking values in declared, non-secret variables", () => {
  it("are masked wherever they appear, in every output", async () => {
    // ALLOWED_ORIGINS is a plain string: the CORS rule quotes its value in its message.
    const { text, exitCodes } = await everyOutput(withEnv("staging", { ALLOWED_ORIGINS: STRIPE }));
    expect(exitCodes).toEqual([1, 1, 1]);
    expect(text).toContain("cors-covers-web-host");
    expect(text).not.toContain(STRIPE.slice(0, 12));
  });

  it("leave ordinary values readable", async () => {
    const { runs } = await everyOutput(validEnvProject());
    const matrix = runs[1]!.json<{ matrix: Record<string, Record<string, string>> }>().matrix;
    expect(matrix.NEXT_PUBLIC_SIGNALING_SERVER!.staging).toBe(
      "wss://echogate-chat-staging-f6g7h8i9j0-uc.a.run.app",
    );
    expect(matrix.LOG_LEVEL!.staging).toBe("info");
  });
});
