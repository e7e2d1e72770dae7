import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One import from a file in one top-level folder of deploy/ to another folder. */
export interface FolderImport {
  from: string;
  to: string;
  file: string;
}

const IMPORT_SPECIFIER =
  /(?:import|export)[^"'`;]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

/** Every relative import in `root` (deploy/) that crosses from one top-level folder to another. */
export function folderImports(root: string): FolderImport[] {
  const imports: FolderImport[] = [];
  for (const file of sourceFiles(root)) {
    const from = folderOf(root, file);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT_SPECIFIER)) {
      const to = folderOf(root, resolve(dirname(file), match[1] ?? match[2] ?? ""));
      if (to !== from && to !== "..") imports.push({ from, to, file: relative(root, file) });
    }
  }
  return imports;
}

/**
 * Imports that point up the layers (to a folder of a higher rank) or between folders missing from
 * `ranks`, then every cycle between folders (siblings of one rank may import each other one way).
 */
export function layeringViolations(
  imports: readonly FolderImport[],
  ranks: Record<string, number>,
): string[] {
  const problems: string[] = [];
  for (const { from, to, file } of imports) {
    const [a, b] = [ranks[from], ranks[to]];
    if (a === undefined || b === undefined)
      problems.push(`${file}: ${from} → ${to} (a folder with no layer)`);
    else if (b > a) problems.push(`${file}: ${from} → ${to} points up the layers`);
  }
  return [...problems, ...folderCycles(imports).map((cycle) => `cycle: ${cycle.join(" → ")}`)];
}

function folderCycles(imports: readonly FolderImport[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const { from, to } of imports) edges.set(from, (edges.get(from) ?? new Set()).add(to));
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "visiting");
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function folderOf(root: string, path: string): string {
  return relative(root, path).split("/")[0] ?? "";
}
