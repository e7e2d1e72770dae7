import { describe, expect, it } from "vitest";
import { compileVariable } from "../../deploy/envfiles/compile.js";
import { variableSchema } from "../../deploy/envfiles/schema.js";

const spec = (input: Record<string, unknown>) => variableSchema.parse(input);
const ok = (input: Record<string, unknown>, value: string, kind?: "local" | "staging") =>
  compileVariable(spec(input), kind).safeParse(value).success;

describe("compileVariable", () => {
  it("parses ints, ports and bools to values, within bounds", () => {
    expect(compileVariable(spec({ type: "int" })).parse("-12")).toBe(-12);
    expect(ok({ type: "int", min: 0 }, "-1")).toBe(false);
    expect(ok({ type: "int", max: 10 }, "11")).toBe(false);
    expect(ok({ type: "int" }, "1.5")).toBe(false);
    expect(ok({ type: "int" }, "99999999999999999999")).toBe(false);
    expect(compileVariable(spec({ type: "port" })).parse("8080")).toBe(8080);
    expect(ok({ type: "port" }, "0")).toBe(false);
    expect(ok({ type: "port" }, "65536")).toBe(false);
    expect(compileVariable(spec({ type: "bool" })).parse("1")).toBe(true);
    expect(ok({ type: "bool" }, "yes")).toBe(false);
  });

  it("checks enums and JSON", () => {
    expect(ok({ type: "enum", values: ["a", "b"] }, "b")).toBe(true);
    expect(ok({ type: "enum", values: ["a", "b"] }, "c")).toBe(false);
    expect(compileVariable(spec({ type: "json" })).parse('{"a":[1]}')).toEqual({ a: [1] });
    expect(ok({ type: "json" }, "{a:1}")).toBe(false);
  });

  it("applies URL protocols per environment kind, falling back to default", () => {
    const url = { type: "url", protocols: { local: ["ws", "wss"], default: ["wss"] } };
    expect(ok(url, "ws://localhost:8080", "local")).toBe(true);
    expect(ok(url, "ws://example.com", "staging")).toBe(false);
    expect(ok(url, "wss://example.com", "staging")).toBe(true);
    expect(ok(url, "not a url", "staging")).toBe(false);
    expect(ok(url, "ws://example.com")).toBe(true);
  });

  it("accepts ${SERVICE_URL} only in realtimeServer URLs", () => {
    expect(
      ok({ type: "url", realtimeServer: true, protocols: { default: ["wss"] } }, "${SERVICE_URL}", "staging"),
    ).toBe(true);
    expect(ok({ type: "url", realtimeServer: true }, "${SERVICE_URL}/socket.io", "staging")).toBe(true);
    expect(ok({ type: "url" }, "${SERVICE_URL}", "staging")).toBe(false);
  });
});
