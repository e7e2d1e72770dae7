import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ENV_FILE_BYTES, parseDotenv } from "../../deploy/envfiles/parse-dotenv.js";

const parse = (text: string | Uint8Array) => parseDotenv(".env.test", text);
const values = (text: string) => Object.fromEntries(parse(text).entries.map((e) => [e.key, e.value]));

describe("parseDotenv", () => {
  it("reads plain, quoted, exported and empty values with line and column", () => {
    const result = parse(
      '# comment\n\nA=1\nexport B = two words \nC=\nD=\'lit $X \\n\'\nE="a\\nb\\t\\"q\\" \\\\"\n',
    );
    expect(result.diagnostics).toEqual([]);
    expect(values('A=1\nexport B = two words \nC=\nD=\'lit $X \\n\'\nE="a\\nb\\t\\"q\\" \\\\"\n')).toEqual({
      A: "1",
      B: "two words",
      C: "",
      D: "lit $X \\n",
      E: 'a\nb\t"q" \\',
    });
    expect(result.entries[0]).toEqual({ key: "A", value: "1", line: 3, column: 3, quote: "none" });
    expect(result.entries[1]).toMatchObject({ key: "B", line: 4, column: 12 });
  });

  it("treats # as a comment only after whitespace outside quotes", () => {
    expect(values("A=x # note\nB=x#y\nC=\"x # y\" # z\nD='#'\nE= # empty\nF=https://h/p#frag")).toEqual({
      A: "x",
      B: "x#y",
      C: "x # y",
      D: "#",
      E: "",
      F: "https://h/p#frag",
    });
  });

  it("reads multiline double-quoted values and keeps counting lines", () => {
    const result = parse('KEY="-----BEGIN\nline two\n-----END"\nNEXT=1\n');
    expect(result.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ["KEY", "-----BEGIN\nline two\n-----END", 1],
      ["NEXT", "1", 4],
    ]);
  });

  it("does not interpolate ${VARS}", () => {
    expect(values('A=${SERVICE_URL}\nB="$HOME"')).toEqual({ A: "${SERVICE_URL}", B: "$HOME" });
  });

  it("reports a duplicate key naming both lines and keeps the first", () => {
    const result = parse("A=1\nB=2\nA=3\n");
    expect(result.diagnostics).toMatchObject([{ code: "env.duplicate-key", line: 3, keyPath: "A" }]);
    expect(result.diagnostics[0]!.message).toContain("lines 1 and 3");
    expect(result.entries.find((e) => e.key === "A")!.value).toBe("1");
  });

  it("reports an unterminated double quote at the line it opened and stops", () => {
    const result = parse('A=1\nB="open\nC=2\n');
    expect(result.diagnostics).toMatchObject([{ code: "env.unterminated-quote", line: 2, keyPath: "B" }]);
    expect(result.complete).toBe(false);
    expect(result.entries.map((e) => e.key)).toEqual(["A"]);
  });

  it("reports an unterminated single quote on its line and reads on", () => {
    const result = parse("A='open\nC=2\n");
    expect(result.diagnostics).toMatchObject([{ code: "env.unterminated-quote", line: 1 }]);
    expect(result.entries.map((e) => e.key)).toEqual(["C"]);
  });

  it("reports invalid key names, lines without =, and text after a closing quote", () => {
    const result = parse('1A=x\nMY-KEY=y\njust words\nQ="a" b\nOK=1\n');
    expect(result.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ["env.invalid-key", 1],
      ["env.invalid-key", 2],
      ["env.syntax", 3],
      ["env.syntax", 4],
    ]);
    expect(result.entries.map((e) => e.key)).toEqual(["OK"]);
  });

  it("names a mistyped line's key without echoing the value after it", () => {
    const result = parse("SESSION_SECRET: dGhpc2lzYXNlY3JldHZhbHVl=\n");
    expect(result.diagnostics[0]).toMatchObject({ code: "env.invalid-key", line: 1 });
    expect(result.diagnostics[0]!.message).toContain('"SESSION_SECRET…"');
    expect(result.diagnostics[0]!.message).not.toContain("dGhpc2lz");
    expect(parse("1A=x\n").diagnostics[0]!.message).toContain('"1A" as a variable name');
  });

  it("refuses a file with a NUL byte, naming its line", () => {
    const result = parse(Buffer.from("A=1\nB=\0\n"));
    expect(result.readable).toBe(false);
    expect(result.diagnostics).toMatchObject([{ code: "env.nul-byte", line: 2, severity: "error" }]);
  });

  it("refuses a file over 1 MB without parsing it", () => {
    const result = parse(`A=${"x".repeat(MAX_ENV_FILE_BYTES)}`);
    expect(result.readable).toBe(false);
    expect(result.diagnostics).toMatchObject([{ code: "env.too-large" }]);
  });

  it("refuses CRLF with one error naming the line, and still reads the values for the other checks", () => {
    const result = parse('A=1\r\nB="x\r\ny"\r\nC=3\r\n');
    expect(result.diagnostics).toMatchObject([{ code: "env.crlf", severity: "error", line: 1 }]);
    expect(values('A=1\r\nB="x\r\ny"\r\n')).toEqual({ A: "1", B: "x\ny" });
  });

  it("refuses a UTF-8 BOM with an error on line 1, reading the keys without it", () => {
    const result = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("A=1\n")]));
    expect(result.diagnostics).toMatchObject([{ code: "env.bom", severity: "error", line: 1 }]);
    expect(result.entries).toMatchObject([{ key: "A", value: "1", line: 1 }]);
  });

  it("round-trips any single-line value written double-quoted with escapes", () => {
    const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/);
    fc.assert(
      fc.property(
        fc.dictionary(
          key,
          fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\0")),
        ),
        (record) => {
          const text = Object.entries(record)
            .map(
              ([k, v]) =>
                `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("\r", "\\r")}"`,
            )
            .join("\n");
          const result = parse(text);
          expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
          expect(Object.fromEntries(result.entries.map((e) => [e.key, e.value]))).toEqual({ ...record });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parse(text);
      }),
      { numRuns: 300 },
    );
  });
});
