import { describe, expect, it } from "vitest";
import { lineOfKey, withEnv } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

async function check(files: Record<string, string | Buffer>) {
  const cwd = await testdir(files);
  const run = await runEchogate(["check", "--json"], { cwd });
  return {
    exitCode: run.exitCode,
    problems: run.json<{ problems: { code: string; line: number; keyPath: string }[] }>().problems,
  };
}

describe("Secret Manager references in env files", () => {
  it.each([
    "secretmanager:chat-session",
    "secretmanager:chat-session:3",
    "secretmanager:projects/other-proj/secrets/s:latest",
  ])("a secret variable may hold %s", async (reference) => {
    expect((await check(withEnv("staging", { SESSION_SECRET: reference }))).exitCode).toBe(0);
  });

  it("a malformed reference is an error at its line", async () => {
    const { exitCode, problems } = await check(
      withEnv("staging", { SESSION_SECRET: "secretmanager:bad name:v2" }),
    );
    expect(exitCode).toBe(1);
    expect(problems).toContainEqual(
      expect.objectContaining({
        code: "value-types.secret-reference",
        line: lineOfKey("SESSION_SECRET"),
        keyPath: "SESSION_SECRET",
      }),
    );
  });

  it("a variable not marked secret can't reference Secret Manager", async () => {
    const { exitCode, problems } = await check(
      withEnv("staging", { NEXT_PUBLIC_APP_NAME: "secretmanager:app-name" }),
    );
    expect(exitCode).toBe(1);
    expect(problems).toContainEqual(
      expect.objectContaining({ code: "value-types.secret-reference", keyPath: "NEXT_PUBLIC_APP_NAME" }),
    );
  });
});
