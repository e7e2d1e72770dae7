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
 * Pure: every source file the entry reaches through relative imports and requires, the entry first,
 * then breadth-first. A file whose text is unknown ends its branch.
 */
export function importGraph(entry: string, texts: ReadonlyMap<string, string>): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const text = texts.get(next);
    if (text === undefined) continue;
    for (const specifier of relativeImports(text)) {
      const file = resolveRelative(next, specifier, (candidate) => texts.has(candidate));
      if (file && !seen.has(file)) {
        seen.add(file);
        queue.push(file);
      }
    }
  }
  return [...seen].filter((file) => texts.has(file));
}
