import { describe, expect, it } from "vitest";
import { parseYamlSource } from "../../deploy/config/yaml-source.js";

describe("parseYamlSource", () => {
  it("locates values and keys by path with 1-based line and column", () => {
    const source = parseYamlSource(
      "env.yaml",
      "kind: staging\nservice:\n  regions:\n    - us-central1\n    - bad\n",
    );
    expect(source.diagnostics.hasErrors).toBe(false);
    expect(source.locate(["service", "regions", 1])).toEqual({
      file: "env.yaml",
      line: 5,
      column: 7,
      keyPath: "service.regions[1]",
    });
    expect(source.locate(["service"], { key: true })).toMatchObject({ line: 2, column: 1 });
  });

  it("points a missing key at its nearest existing parent", () => {
    const source = parseYamlSource("env.yaml", "kind: staging\nservice:\n  name: x\n");
    expect(source.locate(["service", "port"])).toMatchObject({ line: 3, keyPath: "service.port" });
  });

  it("reports malformed YAML with the file, line and column", () => {
    const source = parseYamlSource("broken.yaml", "kind: staging\nservice: [unclosed\n");
    expect(source.diagnostics.hasErrors).toBe(true);
    const [first] = source.diagnostics.errors;
    expect(first?.file).toBe("broken.yaml");
    expect(first?.line).toBeGreaterThanOrEqual(2);
    expect(source.value).toBeUndefined();
  });

  it("reports duplicate keys", () => {
    const source = parseYamlSource("dup.yaml", "kind: staging\nkind: production\n");
    expect(source.diagnostics.errors[0]).toMatchObject({ file: "dup.yaml", line: 2 });
  });

  it("refuses an anchor bomb instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const started = performance.now();
    const source = parseYamlSource("bomb.yaml", `${levels.join("\n")}\n`);
    expect(performance.now() - started).toBeLessThan(2000);
    // Pointing at the first alias used (line 2, `b: &b [*a, …]`).
    expect(source.diagnostics.errors[0]).toMatchObject({ code: "yaml.aliases", file: "bomb.yaml", line: 2 });
    expect(source.value).toBeUndefined();
  });

  it("refuses a file over 1 MB before parsing it", () => {
    const big = `kind: staging\npad: "${"x".repeat(5 * 1024 * 1024)}"\n`;
    const source = parseYamlSource("huge.yaml", big);
    expect(source.diagnostics.errors[0]).toMatchObject({ code: "yaml.too-large", file: "huge.yaml" });
    expect(source.diagnostics.errors[0]?.message).toContain("5.0 MB");
  });
});
