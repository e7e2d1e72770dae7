import { posix } from "node:path";

/**
 * Relative module specifiers in JS/TS source: `import … from "./x"`, `import "./x"`,
 * `export … from "./x"`, `import("./x")`, `require("./x")`. Bare specifiers (packages) are not followed.
 */
const RELATIVE_SPECIFIER =
  /(?:\b(?:import|export)\s[^"'`;]*?\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'])(\.{1,2}\/[^"']*|\.{1,2})\1/g;

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"];
/** TypeScript's ESM imports name the compiled file (`./rooms.js` for rooms.ts). */
const COMPILED_TO_SOURCE: Record<string, string[]> = {
  ".js": [".ts", ".tsx"],
  ".mjs": [".mts"],
  ".cjs": [".cts"],
  ".jsx": [".tsx"],
};

/** Block and line comments blanked out, so a commented-out require is not followed. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/(^|[^:\\"'`])\/\/[^\n]*/g, "$1");
}

/** The relative specifiers a file imports or requires, in source order. */
function relativeImports(text: string): string[] {
  return [...withoutComments(text).matchAll(RELATIVE_SPECIFIER)].map((match) => match[2]!);
}

/** The project file a relative specifier names, the way Node and TypeScript resolve it; undefined when none exists. */
function resolveRelative(
  from: string,
  specifier: string,
  exists: (file: string) => boolean,
): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  if (base.startsWith("../")) return undefined;
  const extension = posix.extname(base);
  const stem = base.slice(0, base.length - extension.length);
  const candidates = [
    base,
    ...(COMPILED_TO_SOURCE[extension] ?? []).map((ext) => `${stem}${ext}`),
    ...EXTENSIONS.map((ext) => `${base}${ext}`),
    ...EXTENSIONS.map((ext) => `${base}/index${ext}`),
  ];
  return candidates.find((candidate) => exists(candidate) && /\.[cm]?[jt]sx?$/.test(candidate));
}

/**
 * Every source file the entry reaches through relative imports and requires, the entry first, then
 * breadth-first. `textOf` gives a file's text, or undefined when there is no such file (which ends
 * that branch); pure when `textOf` is, as over a snapshot.
 */
export function importGraph(
  entry: string,
  textOf: (file: string) => string | undefined,
  limit = 400,
): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let next = queue.shift(); next !== undefined && seen.size < limit; next = queue.shift()) {
    const text = textOf(next);
    if (text === undefined) continue;
    for (const specifier of relativeImports(text)) {
      const file = resolveRelative(next, specifier, (candidate) => textOf(candidate) !== undefined);
      if (file && !seen.has(file)) {
        seen.add(file);
        queue.push(file);
      }
    }
  }
  return [...seen].filter((file) => textOf(file) !== undefined);
}
