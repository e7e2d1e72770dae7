import { describe, expect, it } from "vitest";
import { sameAs } from "../../../deploy/envfiles/rules/same-as.js";
import { envFilePath, lineOfKey, ruleContext, validEnvProject, withEnv } from "../../helpers/env-fixtures.js";

describe("same-as", () => {
  it("passes when the copy equals its source", () => {
    expect(sameAs.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("flags a copy that differs, at the copy's line", () => {
    const problems = sameAs.check(
      ruleContext(withEnv("staging", { SIGNALING_SERVER_URL: "wss://elsewhere.example.com" })),
    );
    expect(problems).toMatchObject([
      {
        code: "same-as",
        file: envFilePath("staging"),
        line: lineOfKey("SIGNALING_SERVER_URL"),
        keyPath: "SIGNALING_SERVER_URL",
      },
    ]);
  });
});
