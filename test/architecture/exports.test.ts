import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// An export nothing else names is dead weight (or a module whose private helper leaked): deploy/
// and the workspace packages export only what another module, a test, a script or the server imports.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCANNED = ["deploy", "packages", "test", "scripts", "server", "web", "bin"];
const SOURCE = /\.(ts|mts|mjs|js|cjs)$/;
const EXPORTED =
  /^export (?:async )?(?:function\*?|const|let|class|interface|type|enum|abstract class) ([A-Za-z_$][\w$]*)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name === "fixtures") return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : SOURCE.test(entry.name) ? [path] : [];
  });
}

/** Exports of `deploy/` and `packages/` files whose name appears in no other scanned file. */
function unusedExports(files: ReadonlyMap<string, string>): string[] {
  const filesNaming = new Map<string, number>();
  for (const text of files.values())
    for (const word of new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []))
      filesNaming.set(word, (filesNaming.get(word) ?? 0) + 1);
  const unused: string[] = [];
  for (const [file, text] of files) {
    if (!file.startsWith("deploy/") && !file.startsWith("packages/")) continue;
    for (const [, name] of text.matchAll(EXPORTED))
      if ((filesNaming.get(name!) ?? 0) <= 1) unused.push(`${file}: ${name}`);
  }
  return unused;
}

describe("exports of deploy/ and packages/", () => {
  it("are each used by another file", () => {
    const files = new Map(
      SCANNED.flatMap((top) => sourceFiles(join(ROOT, top))).map(
        (path) => [relative(ROOT, path).split("\\").join("/"), readFileSync(path, "utf8")] as const,
      ),
    );
    expect(unusedExports(files)).toEqual([]);
  });

  it("reports an export only its own file names (a test of the test)", () => {
    const files = new Map([
      ["deploy/a.ts", "export function used() {}\nexport const lonely = 1;\nlonely;\n"],
      ["deploy/b.ts", 'import { used } from "./a.js";\nused();\n'],
    ]);
    expect(unusedExports(files)).toEqual(["deploy/a.ts: lonely"]);
  });
});
