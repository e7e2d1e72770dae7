import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// Unit and system test files share worker processes (vitest's isolate: false), so a helper module is
// imported once per worker: a hook it registers at its top level runs for the first file that
// imported it only, and the folders, emulators or fakes of every later file are left behind.
// Helpers register per-file cleanup with afterThisFile (test/helpers/after-file.ts) instead.

const TEST_DIR = join(import.meta.dirname, "..");
const SETUP_FILES = new Set(["helpers/after-file-hook.ts", "helpers/unit-guard.ts"]);
const TOP_LEVEL_HOOK = /^(?:afterAll|beforeAll|afterEach|beforeEach)\(/m;

function helperModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : helperModules(path);
    return /\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("test helpers", () => {
  it("register no vitest hook at their module's top level", () => {
    const offenders = helperModules(TEST_DIR)
      .map((path) => relative(TEST_DIR, path))
      .filter((path) => !SETUP_FILES.has(path))
      .filter((path) => TOP_LEVEL_HOOK.test(readFileSync(join(TEST_DIR, path), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the check finds such a hook (a test of the test)", () => {
    expect(TOP_LEVEL_HOOK.test('import { afterAll } from "vitest";\nafterAll(() => cleanup());\n')).toBe(
      true,
    );
    expect(TOP_LEVEL_HOOK.test("export function use() {\n  afterAll(() => cleanup());\n}\n")).toBe(false);
  });
});
