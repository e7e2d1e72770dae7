import { describe, expect, it } from "vitest";
import { parseEnvSchema } from "../../deploy/envfiles/load-schema.js";
import { lineContaining, SCHEMA_YAML } from "../helpers/env-fixtures.js";

const FILE = "environments/env.schema.yaml";
const problems = (text: string) =>
  parseEnvSchema(FILE, text).diagnostics.items.map((d) => [d.code, d.line, d.keyPath]);

describe("parseEnvSchema", () => {
  it("accepts the fixture schema with defaults filled in", () => {
    const loaded = parseEnvSchema(FILE, SCHEMA_YAML);
    expect(loaded.diagnostics.items).toEqual([]);
    const spec = loaded.schema!.variables.get("SESSION_SECRET")!;
    expect(spec).toMatchObject({ type: "string", secret: true, public: false, environmentSpecific: false });
    expect(loaded.schema!.locate("SESSION_SECRET")).toMatchObject({
      file: FILE,
      line: lineContaining(SCHEMA_YAML, "SESSION_SECRET:"),
    });
    expect([...loaded.secretKeys]).toEqual(["SESSION_SECRET"]);
  });

  it("names the line of an undefined sameAs target and of self-reference", () => {
    expect(
      problems("variables:\n  A:\n    type: string\n  B:\n    sameAs: NOPE\n  C:\n    sameAs: C\n"),
    ).toEqual([
      ["envschema.invalid", 5, "variables.B.sameAs"],
      ["envschema.invalid", 7, "variables.C.sameAs"],
    ]);
  });

  it("rejects unknown fields, unknown types and bad variable names", () => {
    expect(problems("variables:\n  A:\n    secert: true\n  B:\n    type: number\n  bad-name: {}\n")).toEqual([
      ["config.unknown-key", 3, "variables.A.secert"],
      ["config.invalid-value", 5, "variables.B.type"],
      ["config.invalid-key", 6, "variables.bad-name"],
    ]);
  });

  it("rejects fields that don't fit the type, and defaults of the wrong type", () => {
    const text = [
      "variables:",
      "  E: { type: enum }",
      "  S: { type: string, values: [a] }",
      "  P: { type: string, protocols: { default: [wss] } }",
      "  M: { type: url, min: 1 }",
      "  R: { type: string, realtimeServer: true }",
      "  O: { type: int, corsOrigins: true }",
      "  N: { type: bool, environmentName: true }",
      "  D: { type: int, default: many }",
    ].join("\n");
    expect(problems(text).map(([code, line]) => `${code}:${line}`)).toEqual(
      [2, 3, 4, 5, 6, 7, 8, 9].map((line) => `envschema.invalid:${line}`),
    );
  });

  it("accepts protocol lists only per environment kind or default", () => {
    expect(problems("variables:\n  K:\n    type: url\n    protocols: { prod: [wss] }\n")).toEqual([
      ["config.unknown-key", 4, "variables.K.protocols.prod"],
    ]);
  });

  it("keeps secret keys known when the schema is invalid, so values stay masked", () => {
    const loaded = parseEnvSchema(FILE, "variables:\n  TOKEN:\n    secret: true\n    typo: 1\n");
    expect(loaded.schema).toBeUndefined();
    expect([...loaded.secretKeys]).toEqual(["TOKEN"]);
  });

  it("reports YAML syntax errors with a line", () => {
    expect(problems("variables:\n  A: [\n")[0]![1]).toBeGreaterThan(0);
  });
});
