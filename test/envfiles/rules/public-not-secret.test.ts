import { describe, expect, it } from "vitest";
import { publicNotSecret } from "../../../deploy/envfiles/rules/public-not-secret.js";
import {
  envFilePath,
  lineOfKey,
  ruleContext,
  SCHEMA_FILE,
  SCHEMA_YAML,
  SECRET_VALUES,
  validEnvProject,
  withEnv,
} from "../../helpers/env-fixtures.js";

describe("public-not-secret", () => {
  it("passes the valid project", () => {
    expect(publicNotSecret.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("flags a variable marked both public and secret at the schema line", () => {
    const schema = SCHEMA_YAML.replace("    secret: true\n", "    secret: true\n    public: true\n");
    const problems = publicNotSecret.check(ruleContext({ ...validEnvProject(), [SCHEMA_FILE]: schema }));
    expect(problems).toMatchObject([
      { code: "public-not-secret", file: SCHEMA_FILE, keyPath: "variables.SESSION_SECRET.public" },
    ]);
  });

  it("warns about a public variable whose name looks like a credential", () => {
    const schema = `${SCHEMA_YAML}  NEXT_PUBLIC_API_KEY:\n    public: true\n    required: false\n`;
    expect(publicNotSecret.check(ruleContext({ ...validEnvProject(), [SCHEMA_FILE]: schema }))).toMatchObject(
      [{ severity: "warning", code: "public-not-secret.name", keyPath: "variables.NEXT_PUBLIC_API_KEY" }],
    );
  });

  it("flags a public value that carries a declared secret's value (any environment's), naming the secret, not the value", () => {
    const problems = publicNotSecret.check(
      ruleContext(withEnv("production", { NEXT_PUBLIC_APP_NAME: `chat?k=${SECRET_VALUES.staging}` })),
    );
    expect(problems).toMatchObject([
      {
        code: "public-not-secret.value",
        file: envFilePath("production"),
        message: expect.stringContaining("contains the value of secret SESSION_SECRET"),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain(SECRET_VALUES.staging);
  });

  it("flags a credential-looking public value without repeating it", () => {
    const secret = "AIzaSyA-1234567890abcdefghijklmnopqrstu";
    const problems = publicNotSecret.check(ruleContext(withEnv("staging", { NEXT_PUBLIC_APP_NAME: secret })));
    expect(problems).toMatchObject([
      {
        code: "public-not-secret.value",
        file: envFilePath("staging"),
        line: lineOfKey("NEXT_PUBLIC_APP_NAME"),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain(secret);
  });

  it("flags a high-entropy public value", () => {
    const problems = publicNotSecret.check(
      ruleContext(withEnv("production", { NEXT_PUBLIC_APP_NAME: "Kx8fP2mQ9vLw4Rt7Zb1Nc6Hs3Jd5Ge0Y" })),
    );
    expect(problems[0]!.message).toContain("random-looking");
  });
});
