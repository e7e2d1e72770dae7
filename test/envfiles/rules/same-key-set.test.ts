import { describe, expect, it } from "vitest";
import { sameKeySet } from "../../../deploy/envfiles/rules/same-key-set.js";
import { envFilePath, ruleContext, validEnvProject, withEnv } from "../../helpers/env-fixtures.js";

describe("same-key-set", () => {
  it("passes when every environment sets the same keys (PORT is environmentSpecific)", () => {
    expect(sameKeySet.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("names the environment and file missing an optional key, and where another sets it", () => {
    const problems = sameKeySet.check(ruleContext(withEnv("production", { ROOM_HISTORY_LIMIT: undefined })));
    expect(problems).toMatchObject([
      { code: "same-key-set", file: envFilePath("production"), keyPath: "ROOM_HISTORY_LIMIT" },
    ]);
    expect(problems[0]!.message).toContain("(production)");
    expect(problems[0]!.message).toContain(`${envFilePath("local")}:5`);
    expect(problems[0]!.hint).toContain("environmentSpecific");
  });

  it("leaves missing required keys to value-types", () => {
    expect(sameKeySet.check(ruleContext(withEnv("production", { SESSION_SECRET: undefined })))).toEqual([]);
  });
});
