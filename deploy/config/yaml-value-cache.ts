import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { readPrivateCacheFile, writePrivateCacheFile } from "../core/private-cache-file.js";

/** Entries kept; the least recently stored go first. */
const MAX_ENTRIES = 500;

/**
 * Values of YAML config files that parsed (and validated) without a problem, by what produced them
 * (a key holding the file's text), kept across runs of one build of echogate (the file is named by
 * the build). A file whose text is known is not parsed again; its positions, which only a
 * diagnostic needs, are parsed when asked. Each value is stored serialized, so every lookup returns
 * a copy of its own to mutate; a value that would not come back the same (a class instance) is not
 * stored.
 */
export class YamlValueCache {
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, string>,
  ) {}

  /** The cache of build `buildId` in `dir` (a private directory: core/private-cache-file.ts). */
  static open(dir: string, buildId: string): YamlValueCache {
    const file = join(dir, `yaml-values-${buildId.slice(0, 32)}.json`);
    return new YamlValueCache(file, readEntries(file));
  }

  lookup(key: string): { value: unknown } | undefined {
    const stored = this.entries.get(key);
    return stored === undefined ? undefined : { value: JSON.parse(stored) };
  }

  remember(key: string, value: unknown): void {
    let stored: string;
    try {
      stored = JSON.stringify(value);
      if (!isDeepStrictEqual(JSON.parse(stored), value)) return;
    } catch {
      return; // a value JSON can't hold is simply parsed every time
    }
    this.entries.delete(key);
    this.entries.set(key, stored);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(oldest);
    }
    this.changed = true;
  }

  /** Writes what this run added; never throws (an unwritable cache only costs the next run a parse). */
  save(): void {
    if (this.changed) writePrivateCacheFile(this.file, () => Buffer.from(JSON.stringify([...this.entries])));
    this.changed = false;
  }
}

function readEntries(file: string): Map<string, string> {
  const bytes = readPrivateCacheFile(file);
  if (!bytes) return new Map();
  try {
    const entries = JSON.parse(bytes.toString("utf8")) as unknown;
    const wellFormed =
      Array.isArray(entries) &&
      entries.every((e) => Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string");
    return wellFormed ? new Map(entries as [string, string][]) : new Map();
  } catch {
    return new Map();
  }
}

let active: YamlValueCache | undefined;

/** Makes `cache` the one config parsing uses in this process (the CLI opens it; tests may not). */
export function useYamlValueCache(cache: YamlValueCache | undefined): void {
  active = cache;
}

export function activeYamlValueCache(): YamlValueCache | undefined {
  return active;
}
