import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_NAMES } from "../../deploy/core/output-events.js";

// `--json` progress events are read by CI scripts: the names the code writes, the typed list and
// the documented table must be the same set.

const ROOT = resolve(import.meta.dirname, "../..");
const DEPLOY = join(ROOT, "deploy");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The `event: …` values of the objects that reach `Output.event` (files that call it or build one). */
function emittedEventNames(files: ReadonlyArray<{ path: string; text: string }>): string[] {
  const names = new Set<string>();
  for (const { text } of files) {
    if (!/\.event\(|\bOutputEvent\b/.test(text)) continue;
    for (const match of text.matchAll(/\bevent: ([^,}\n]+)/g))
      for (const literal of match[1]!.matchAll(/"([^"]+)"/g)) names.add(literal[1]!);
  }
  return [...names].sort();
}

function documentedEventNames(markdown: string): string[] {
  const table = /<!-- json-events -->([\s\S]*?)<!-- \/json-events -->/.exec(markdown)?.[1] ?? "";
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!).sort();
}

describe("JSON events", () => {
  const files = sourceFiles(DEPLOY)
    .filter((path) => relative(DEPLOY, path) !== join("core", "output-events.ts"))
    .map((path) => ({ path, text: readFileSync(path, "utf8") }));

  it("the code emits exactly the typed names", () => {
    expect(emittedEventNames(files)).toEqual([...EVENT_NAMES].sort());
  });

  it("docs/reference.md lists exactly the typed names", () => {
    const documented = documentedEventNames(readFileSync(join(ROOT, "docs", "reference.md"), "utf8"));
    expect(documented).toEqual([...EVENT_NAMES].sort());
  });

  it("sees a name the docs do not list, and a listed name nothing emits", () => {
    const code = [
      { path: "a.ts", text: 'output.event({ event: "smoke.check.done", ok });' },
      { path: "b.ts", text: 'const spec = { event: "join-room" };' },
      { path: "c.ts", text: 'this.event({ event: ok ? "step.done" : "step.fail" });' },
    ];
    expect(emittedEventNames(code)).toEqual(["smoke.check.done", "step.done", "step.fail"]);
    const docs = "<!-- json-events -->\n| Event |\n| --- |\n| `step.done` | x |\n<!-- /json-events -->";
    expect(documentedEventNames(docs)).toEqual(["step.done"]);
  });
});
