import { describe, expect, it } from "vitest";
import { longestFirst, recordedSeconds } from "./longest-first.js";

describe("the longest-first file order", () => {
  const recorded = {
    "test/init/round2-release.test.ts": 50,
    "test/a/same.test.ts": 2,
    "test/b/same.test.ts": 3,
  };

  it("finds a file's recorded seconds by path, or by its name when the file moved folder", () => {
    expect(recordedSeconds(recorded, "test/init/round2-release.test.ts")).toBe(50);
    expect(recordedSeconds(recorded, "test/adopt/round2-release.test.ts")).toBe(50);
    // Two recorded files of that name: neither is taken for a third.
    expect(recordedSeconds(recorded, "test/c/same.test.ts")).toBeUndefined();
    expect(recordedSeconds(recorded, "test/new.test.ts")).toBeUndefined();
  });

  it("puts the longest first and keeps the given order among equals and unknowns", () => {
    const ms: Record<string, number> = {
      short: 10,
      long: 900,
      unknownA: -1,
      mid: 300,
      unknownB: -1,
      mid2: 300,
    };
    expect(longestFirst(Object.keys(ms), (name) => ms[name]!)).toEqual([
      "long",
      "mid",
      "mid2",
      "short",
      "unknownA",
      "unknownB",
    ]);
  });
});
