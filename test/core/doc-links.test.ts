import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The README sends readers into docs/ and the docs into each other: every relative link must reach
// a file, and every #anchor a heading of that file (as GitHub renders it).

const ROOT = resolve(import.meta.dirname, "../..");
const DOCS = [
  "README.md",
  "deploy/README.md",
  ...readdirSync(join(ROOT, "docs")).map((name) => `docs/${name}`),
].filter((file) => file.endsWith(".md"));

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutCodeBlocks(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "");
}

function brokenLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const broken: string[] = [];
  for (const [, target] of withoutCodeBlocks(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue;
    const [path, anchor] = target!.split("#") as [string, string | undefined];
    const linked = path ? resolve(ROOT, dirname(file), path) : join(ROOT, file);
    const shown = relative(ROOT, linked);
    if (!existsSync(linked)) broken.push(`${file}: ${target} (no ${shown})`);
    else if (anchor && linked.endsWith(".md") && !headingAnchors(readFileSync(linked, "utf8")).has(anchor))
      broken.push(`${file}: ${target} (no heading #${anchor} in ${shown})`);
  }
  return broken;
}

describe("links in README.md and docs/", () => {
  it("reach an existing file and heading", () => {
    expect(DOCS.length).toBeGreaterThan(5);
    expect(DOCS.flatMap(brokenLinks)).toEqual([]);
  });

  it("anchor headings as GitHub does (a test of the test)", () => {
    const anchors = headingAnchors(
      "# Web front ends: three modes (`hosting.mode`)\n## `environments/echogate.yaml`\n## CI\n## CI\n",
    );
    expect([...anchors]).toEqual([
      "web-front-ends-three-modes-hostingmode",
      "environmentsechogateyaml",
      "ci",
      "ci-1",
    ]);
  });
});
