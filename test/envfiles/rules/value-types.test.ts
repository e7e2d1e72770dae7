import { describe, expect, it } from "vitest";
import { valueTypes } from "../../../deploy/envfiles/rules/value-types.js";
import {
  envFilePath,
  lineOfKey,
  ruleContext,
  SCHEMA_FILE,
  SCHEMA_YAML,
  validEnvProject,
  withEnv,
  withFile,
} from "../../helpers/env-fixtures.js";

describe("value-types", () => {
  it("passes the valid project", () => {
    expect(valueTypes.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("flags wrong types and enum values at their lines, quoting non-secret values", () => {
    const problems = valueTypes.check(
      ruleContext(withEnv("staging", { ROOM_HISTORY_LIMIT: "-3", LOG_LEVEL: "loud" })),
    );
    expect(problems.map((p) => [p.code, p.line, p.keyPath])).toEqual([
      ["value-types.invalid", lineOfKey("ROOM_HISTORY_LIMIT"), "ROOM_HISTORY_LIMIT"],
      ["value-types.invalid", lineOfKey("LOG_LEVEL"), "LOG_LEVEL"],
    ]);
    expect(problems[0]!.message).toBe(
      'Can\'t use ROOM_HISTORY_LIMIT="-3" in staging: expected an integer >= 0.',
    );
  });

  it("never quotes a secret value", () => {
    const schema = SCHEMA_YAML.replace(
      "  SESSION_SECRET:\n    type: string",
      "  SESSION_SECRET:\n    type: url",
    );
    const files = { ...withEnv("staging", { SESSION_SECRET: "hunter2-not-a-url" }), [SCHEMA_FILE]: schema };
    const problems = valueTypes.check(ruleContext(files)).filter((p) => p.file === envFilePath("staging"));
    expect(problems[0]!.message).toContain("SESSION_SECRET (secret, value hidden)");
    expect(JSON.stringify(problems)).not.toContain("hunter2");
  });

  it("flags missing and empty required keys, not environmentSpecific or defaulted ones", () => {
    const problems = valueTypes.check(
      ruleContext(withEnv("staging", { SESSION_SECRET: undefined, LOG_LEVEL: undefined, BUILD_TARGET: "" })),
    );
    expect(problems.map((p) => [p.code, p.keyPath])).toEqual([
      ["value-types.empty", "BUILD_TARGET"],
      ["value-types.missing", "SESSION_SECRET"],
    ]);
  });

  it("flags keys the schema doesn't declare", () => {
    const text = `${String(validEnvProject()[envFilePath("local")])}EXTRA=1\n`;
    expect(valueTypes.check(ruleContext(withFile(envFilePath("local"), text)))).toMatchObject([
      { code: "value-types.undeclared", keyPath: "EXTRA", file: envFilePath("local") },
    ]);
  });
});
