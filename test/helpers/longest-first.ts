import { readFileSync } from "node:fs";
import { basename, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Vitest hands files to its workers in this order. A long file started last keeps one worker busy
// while the other has nothing left to do, so the longest run first: by the duration vitest cached
// on this machine, else by the seconds recorded in file-durations.json (a fresh clone has no cache;
// `node scripts/record-test-durations.mjs <vitest JSON report>` rewrites it). Files with neither
// (new, or renamed and not matched by name) follow, in vitest's own order: record again after
// adding a long file.

type Durations = Record<string, number>;

const recorded = JSON.parse(
  readFileSync(new URL("file-durations.json", import.meta.url), "utf8"),
) as Durations;

/** The recorded seconds of `file` (a path from the root), by path, else by a file name recorded once. */
export function recordedSeconds(durations: Durations, file: string): number | undefined {
  if (durations[file] !== undefined) return durations[file];
  const name = basename(file);
  const matches = Object.keys(durations).filter((path) => basename(path) === name);
  return matches.length === 1 ? durations[matches[0]!] : undefined;
}

/** `items` by expected milliseconds, longest first; equal ones (unknown: -1) keep their order. */
export function longestFirst<T>(items: readonly T[], expectedMs: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, ms: expectedMs(item) }))
    .sort((a, b) => (a.ms === b.ms ? a.index - b.index : b.ms - a.ms))
    .map(({ item }) => item);
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    return longestFirst(await super.sort(files), (spec) => {
      const file = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`)?.duration;
      if (cached !== undefined) return cached;
      const seconds = recordedSeconds(recorded, file);
      return seconds === undefined ? -1 : seconds * 1000;
    });
  }
}
