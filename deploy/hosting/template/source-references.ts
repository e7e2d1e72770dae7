import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

const SKIPPED_DIRS = new Set(["node_modules", ".git", ".echogate", ".next"]);
const SOURCE_FILE = /\.(m?[jt]sx?|cjs|cts|vue|svelte|astro|html)$/;
const MAX_SOURCE_BYTES = 2_000_000;

/**
 * Which source files (outside the build output) mention each public variable by name: a variable
 * the source uses must reach the build output as its placeholder.
 */
export async function findSourceReferences(
  projectDir: string,
  keys: readonly string[],
  outDir: string,
): Promise<Map<string, string[]>> {
  const references = new Map<string, string[]>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && full !== outDir) await walk(full);
        continue;
      }
      if (!entry.isFile() || !SOURCE_FILE.test(entry.name)) continue;
      if (((await stat(full).catch(() => undefined))?.size ?? 0) > MAX_SOURCE_BYTES) continue;
      const text = await readFile(full, "utf8");
      for (const key of keys) {
        if (!new RegExp(`\\b${key}\\b`).test(text)) continue;
        const list = references.get(key) ?? [];
        list.push(relative(projectDir, full).split(sep).join("/"));
        references.set(key, list);
      }
    }
  };
  await walk(projectDir);
  for (const list of references.values()) list.sort();
  return references;
}
