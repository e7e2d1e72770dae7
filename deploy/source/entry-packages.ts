import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, type Plugin } from "esbuild";

/** The packages a server entry loads, found by following its imports as the bundle does. */
interface EntryPackages {
  /** Real paths of the package folders (`…/node_modules/sqlite3`) any file of the graph lies in. */
  dirs: Set<string>;
  /** The entries followed, relative to the project. */
  entries: string[];
  /**
   * Package folders (real paths) holding a `require(x)` or `import(x)` of a computed name: what they
   * load can't be followed, so their whole dependency closure may be loaded.
   */
  dynamic: Set<string>;
  /** A computed require or import in the project's own code: any dependency may be loaded. */
  projectDynamic: boolean;
}

/** A `.node` binary required by path stays outside the graph (esbuild has no loader for it). */
const keepBinariesExternal: Plugin = {
  name: "native-binaries-external",
  setup(build) {
    build.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * Follows the entries' import graphs through node_modules resolution (esbuild's resolver: `exports`,
 * `main`, conditions, TypeScript) and returns the package folders they load. Only static imports and
 * requires are seen, the same ones a bundle would carry. Undefined when the graph can't be followed
 * (an import that doesn't resolve, a syntax error): the caller then counts every dependency.
 */
export async function packagesLoadedBy(
  projectDir: string,
  entries: readonly string[],
): Promise<EntryPackages | undefined> {
  if (entries.length === 0) return undefined;
  let inputs: string[];
  let dynamicFiles: string[];
  try {
    const result = await build({
      absWorkingDir: projectDir,
      entryPoints: [...entries],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      write: false,
      outdir: "out",
      metafile: true,
      logLevel: "silent",
      plugins: [keepBinariesExternal],
      // Reported, not only logged at debug level, so the graph knows where it can't see.
      logOverride: { "unsupported-require-call": "warning", "unsupported-dynamic-import": "warning" },
    });
    inputs = Object.keys(result.metafile.inputs);
    dynamicFiles = result.warnings.flatMap((warning) =>
      (warning.id === "unsupported-require-call" || warning.id === "unsupported-dynamic-import") &&
      warning.location
        ? [warning.location.file.replaceAll("\\", "/")]
        : [],
    );
  } catch {
    return undefined;
  }
  const dirs = new Set<string>();
  for (const input of inputs) {
    const dir = packageDirOf(input.replaceAll("\\", "/"));
    if (dir) dirs.add(realPath(resolve(projectDir, dir)));
  }
  const dynamic = new Set<string>();
  let projectDynamic = false;
  for (const file of dynamicFiles) {
    const dir = packageDirOf(file);
    if (dir) dynamic.add(realPath(resolve(projectDir, dir)));
    else projectDynamic = true;
  }
  return { dirs, entries: [...entries], dynamic, projectDynamic };
}

/** `node_modules/@scope/name/lib/x.js` → `node_modules/@scope/name` (the innermost package). */
function packageDirOf(input: string): string | undefined {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const rest = input.slice(at + "node_modules/".length).split("/");
  const depth = rest[0]?.startsWith("@") ? 2 : 1;
  if (rest.length <= depth) return undefined;
  return input.slice(0, at + "node_modules/".length) + rest.slice(0, depth).join("/");
}

export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether the package folder `dir` (relative to `baseDir`) is one the graph loads. */
export function isLoaded(loaded: EntryPackages, baseDir: string, dir: string): boolean {
  return loaded.dirs.has(realPath(join(baseDir, dir)));
}
