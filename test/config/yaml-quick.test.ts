import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quickYamlValue } from "../../deploy/config/yaml-quick.js";
import { parseYamlDocument, parseYamlSource } from "../../deploy/config/yaml-source.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The Document's reading: the value when the file has no error or warning, else undefined. */
function documentValue(text: string): { value: unknown } | undefined {
  const source = parseYamlDocument("x.yaml", text);
  return source.diagnostics.items.length === 0 ? { value: source.value } : undefined;
}

/** The quick reader may decline any text, but what it reads must be exactly the Document's value. */
function expectAgreement(text: string): boolean {
  const quick = quickYamlValue(text);
  if (quick === undefined) return false;
  expect(documentValue(text), `the Document reports a problem in:\n${text}`).toBeDefined();
  expect(quick.value, `for:\n${text}`).toStrictEqual(documentValue(text)!.value);
  return true;
}

// Plain scalars where YAML 1.2's core schema and other readings part ways, text that looks like
// YAML syntax, and (less often) what the quick reader must leave to the Document.
const scalars = [
  "1",
  "-0",
  "+5",
  "012",
  "0o17",
  "0o8",
  "0x1F",
  "-0x1F",
  "0b101",
  "1_000",
  "1e3",
  "1.",
  ".5",
  "1.50",
  "-.inf",
  ".NaN",
  ".nan",
  "1e400",
  "9".repeat(400),
  "true",
  "True",
  "TRUE",
  "tRue",
  "yes",
  "off",
  "null",
  "Null",
  "~",
  "",
  "2026-01-01",
  "a b",
  "a #c",
  "a#b",
  "x: y",
  "'q'",
  '"d"',
  "'it''s'",
  "https://x.web.app",
  "wss://x:443/p?q=1",
  "- x",
  "[a, b]",
  "{a: 1, b: [c]}",
  "[]",
  "{}",
  "é ü",
  "'a: b'",
  '"x # y"',
  "a-b_c",
  "--x",
  "-",
  "'multi",
  "  word'",
  "a:b",
  "{a: [1, {b: c}]}",
];
const risky = ["&a x", "*a", "!!str 1", "? k", "%x", "@x", "`x`", "|", ">", "__proto__", "a\tb", '"a\tb"'];
const keys = ["a", "key_1", "1", "1.5", "true", "x y", "-k", '"q k"', "'s'", "0x1F", "a.b", "URL"];
const riskyKeys = ["null", "~", "", "__proto__"];

const scalar = fc.oneof({ arbitrary: fc.constantFrom(...scalars), weight: 20 }, fc.constantFrom(...risky));
const key = fc.oneof({ arbitrary: fc.constantFrom(...keys), weight: 20 }, fc.constantFrom(...riskyKeys));
const comment = fc.option(fc.constantFrom(" # note", "  #x", "# y", " #: [z"), { nil: "" });

/** Block YAML made of the pieces config files use, nested, sometimes mis-indented. */
const node: fc.Memo<string[]> = fc.memo((depth) =>
  depth <= 1
    ? fc.oneof(
        scalar.map((s) => [s]),
        fc.array(scalar, { maxLength: 3 }).map((items) => [`[${items.join(", ")}]`]),
        fc.constantFrom<string[]>(
          ["|", "  line one", "  line two", ""],
          [">-", "  folded", "  text"],
          ["|+", "  kept", ""],
        ),
      )
    : fc.oneof(
        fc
          .array(fc.tuple(key, node(depth - 1), comment, fc.constantFrom(2, 2, 2, 1, 3)), {
            minLength: 1,
            maxLength: 4,
          })
          .map((pairs) =>
            pairs.flatMap(([k, [first, ...rest], note, indent]) =>
              rest.length === 0 || first === "|" || first === ">-" || first === "|+"
                ? [`${k}: ${first}${note}`, ...rest.map((line) => `${" ".repeat(indent)}${line}`)]
                : [`${k}:${note}`, ...[first!, ...rest].map((line) => `${" ".repeat(indent)}${line}`)],
            ),
          ),
        fc
          .array(node(depth - 1), { minLength: 1, maxLength: 3 })
          .map((items) =>
            items.flatMap(([first, ...rest]) => [`- ${first}`, ...rest.map((line) => `  ${line}`)]),
          ),
      ),
);

describe("the quick YAML reader", () => {
  it("reads generated config-like YAML exactly as the Document does, or leaves it to the Document", () => {
    const runs = Number(process.env.YAML_QUICK_RUNS ?? 3000);
    let read = 0;
    fc.assert(
      fc.property(node(3), fc.boolean(), (lines, crlf) => {
        if (expectAgreement(`${lines.join(crlf ? "\r\n" : "\n")}\n`)) read += 1;
      }),
      { numRuns: runs },
    );
    // Not a test of declining everything: a share is read quickly, and so compared (about 5 %).
    expect(read).toBeGreaterThan(runs / 50);
  });

  it("reads every YAML file in this repository as the Document does", () => {
    const files = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], { cwd: repoRoot, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(10);
    const read = files.filter((file) => expectAgreement(readFileSync(`${repoRoot}${file}`, "utf8")));
    // The config files are plain YAML: the quick reader takes them (the guards are not so broad).
    expect(read).toEqual(
      expect.arrayContaining(["environments/env.schema.yaml", "environments/staging.yaml"]),
    );
  });

  it.each([
    ["a null key", "~: 1\n"],
    ["an empty key", ": 1\n"],
    ["a flow null key", "a: {~: 1}\n"],
    ["an alias", "a: &x 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["a __proto__ key", "__proto__: 1\n"],
    ["an escaped __proto__ key", '"__pr\\x6fto__": 1\n'],
    ["a flow collection as a key", "[a]: 1\n"],
    ["a flow collection over two lines", "a: [b,\nc]\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a syntax error", "a: [b\n"],
  ])("leaves %s to the Document", (_what, text) => {
    expect(quickYamlValue(text)).toBeUndefined();
  });

  it("finds positions for a file it read quickly, when a diagnostic asks", () => {
    const source = parseYamlSource(
      "environments/x.yaml",
      "kind: staging\nservice:\n  name: chat\n  port: 80\n",
    );
    expect(source.value).toEqual({ kind: "staging", service: { name: "chat", port: 80 } });
    expect(source.locate(["service", "port"])).toEqual({
      file: "environments/x.yaml",
      line: 4,
      column: 9,
      keyPath: "service.port",
    });
    expect(source.locate(["service", "port"], { key: true })).toMatchObject({ line: 4, column: 3 });
  });
});
