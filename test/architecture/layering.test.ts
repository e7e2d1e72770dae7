import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type FolderImport, folderImports, layeringViolations } from "../helpers/import-graph.js";

// deploy/README.md ("Layers") explains the order; a folder may import only folders of a lower or
// equal rank, and no two folders may import each other (directly or round a loop).
const RANKS: Record<string, number> = {
  core: 0,
  config: 1,
  model: 2,
  source: 3,
  build: 3,
  smoke: 3,
  envfiles: 3,
  project: 4,
  platform: 5,
  hosting: 6,
  promote: 7,
  drift: 7,
  preview: 7,
  init: 7,
  report: 7,
  cli: 8,
};

const DEPLOY = fileURLToPath(new URL("../../deploy", import.meta.url));

describe("import layering of deploy/", () => {
  it("has no import pointing up the layers and no cycle between folders", () => {
    expect(layeringViolations(folderImports(DEPLOY), RANKS)).toEqual([]);
  });

  it("sees the imports it judges (every layer is present)", () => {
    const folders = new Set(folderImports(DEPLOY).flatMap(({ from, to }) => [from, to]));
    expect([...folders].sort()).toEqual(Object.keys(RANKS).sort());
  });

  it("reports an upward import, a folder with no layer, and a cycle between siblings", () => {
    const edge = (from: string, to: string): FolderImport => ({ from, to, file: `${from}/x.ts` });
    expect(
      layeringViolations(
        [
          edge("config", "promote"),
          edge("newthing", "core"),
          edge("build", "source"),
          edge("source", "build"),
        ],
        RANKS,
      ),
    ).toEqual([
      "config/x.ts: config → promote points up the layers",
      "newthing/x.ts: newthing → core (a folder with no layer)",
      "cycle: build → source → build",
    ]);
  });
});
