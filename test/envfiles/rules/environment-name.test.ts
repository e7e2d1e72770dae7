import { describe, expect, it } from "vitest";
import { environmentName } from "../../../deploy/envfiles/rules/environment-name.js";
import { envFilePath, lineOfKey, ruleContext, validEnvProject, withEnv } from "../../helpers/env-fixtures.js";

describe("environment-name", () => {
  it("passes when BUILD_TARGET equals each environment's name", () => {
    expect(environmentName.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("flags production built as staging, at the line, with the fix", () => {
    const problems = environmentName.check(ruleContext(withEnv("production", { BUILD_TARGET: "staging" })));
    expect(problems).toMatchObject([
      {
        code: "environment-name",
        file: envFilePath("production"),
        line: lineOfKey("BUILD_TARGET"),
        keyPath: "BUILD_TARGET",
      },
    ]);
    expect(problems[0]!.hint).toContain("BUILD_TARGET=production");
  });
});
