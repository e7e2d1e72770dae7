import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fillReference, generateSchemaFiles, undocumentedKeys } from "../../scripts/schemas/generate.js";

const ROOT = resolve(import.meta.dirname, "../..");

describe("JSON Schemas and the reference are generated from the zod schemas", () => {
  it("the checked-in schemas/*.json equal what zod generates (run `npm run schemas`)", () => {
    for (const [file, text] of generateSchemaFiles()) {
      const checkedIn = JSON.parse(readFileSync(join(ROOT, "schemas", file), "utf8")) as unknown;
      expect(checkedIn, `schemas/${file} is stale: run npm run schemas`).toEqual(JSON.parse(text));
    }
  });

  it("docs/reference.md's generated key tables are current (run `npm run schemas`)", () => {
    const reference = readFileSync(join(ROOT, "docs", "reference.md"), "utf8");
    expect(fillReference(reference) === reference, "docs/reference.md is stale: run npm run schemas").toBe(
      true,
    );
  });

  it("every config key has a .describe() text, so the reference explains it", () => {
    expect(undocumentedKeys()).toEqual([]);
  });

  it("the package ships the schemas and docs", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toEqual(expect.arrayContaining(["schemas", "docs"]));
  });
});
