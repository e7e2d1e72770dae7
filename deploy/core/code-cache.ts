import { isAscii } from "node:buffer";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import vm from "node:vm";
import { readPrivateCacheFile, writePrivateCacheFile } from "./private-cache-file.js";

// Node 20 has no module.enableCompileCache: a big bundled CommonJS file (the CLI, the Google
// clients, yaml and zod) is compiled through vm.Script with V8's code cache instead. The cache
// holds bytecode V8 runs without checking it, so it is read only from a directory and file that
// only this user can write (private-cache-file.ts).

/** Whether the module's code came from the cache, was compiled (and cached at exit), or caching was off. */
type CodeCacheUse = "hit" | "miss" | "rejected" | "off";

interface LoadedCommonJs {
  exports: Record<string, unknown>;
  cache: CodeCacheUse;
}

const loaded = new Map<string, LoadedCommonJs>();

/** `$XDG_CACHE_HOME/echogate/code-cache` (or ~/.cache/…); undefined when ECHOGATE_CODE_CACHE=off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ECHOGATE_CODE_CACHE === "off" || typeof process.getuid !== "function") return undefined;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "echogate", "code-cache");
}

interface LoadOptions {
  /** Where caches live; default `codeCacheDir()`. */
  cacheDir?: string | undefined;
  /**
   * A cache of its own (letters and `_`): a cache holds the functions the run that wrote it
   * compiled, so callers that run different parts of one file give each part its variant.
   */
  variant?: string | undefined;
  /**
   * Hex hashes of files' contents by file name, computed when they were built (scripts/build.mjs):
   * a listed file is not hashed again on every load, nor node:crypto loaded to hash it.
   */
  contentKeys?: Readonly<Record<string, string>> | undefined;
}

/** Loads a CommonJS file once per process, through the code cache when there is a cache directory. */
export function loadCommonJs(file: string, options: LoadOptions = {}): LoadedCommonJs {
  const known = loaded.get(file);
  if (known) return known;
  const cacheDir = "cacheDir" in options ? options.cacheDir : codeCacheDir();
  const bytes = readSource(file);
  // esbuild writes ASCII unless a comment says otherwise; latin1 decodes it without UTF-8 checks.
  const source = bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
  // The name changes with the content and the Node build, so a cache never outlives its source.
  const key = options.contentKeys?.[basename(file)] ?? contentKey(bytes);
  const nodeBuild = `${process.version}${process.arch}`.replace(/\W/g, "");
  const name = options.variant
    ? `${basename(file)}@${options.variant.replace(/[^a-z_]/g, "_")}`
    : basename(file);
  const cacheFile = cacheDir ? join(cacheDir, `${name}-${nodeBuild}-${key.slice(0, 32)}.v8`) : undefined;
  const cachedData = cacheFile ? readPrivateCacheFile(cacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache: CodeCacheUse = !cacheFile
    ? "off"
    : !cachedData
      ? "miss"
      : script.cachedDataRejected
        ? "rejected"
        : "hit";
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const require = islandRequire(file, { ...options, cacheDir, variant: undefined });
  wrapper.call(module.exports, module.exports, require, module, file, dirname(file));
  // Written at exit, so it also holds the functions this run compiled lazily (client construction).
  if (cacheFile && cache !== "hit")
    process.once("exit", () => writePrivateCacheFile(cacheFile, () => script.createCachedData()));
  const result = { exports: module.exports, cache };
  loaded.set(file, result);
  return result;
}

/**
 * The `require` a loaded file gets: a sibling `.cjs` (an island another island shares, as
 * scripts/build.mjs emits) goes through loadCommonJs too, so it is one instance, code-cached.
 */
function islandRequire(file: string, options: LoadOptions): NodeJS.Require {
  const nodeRequire = createRequire(file);
  const siblingRequire = (id: string): unknown =>
    /^\.\/[\w-]+\.cjs$/.test(id) ? loadCommonJs(join(dirname(file), id), options).exports : nodeRequire(id);
  return Object.assign(siblingRequire, nodeRequire) as NodeJS.Require;
}

function contentKey(bytes: Buffer): string {
  // Required here, not imported: loading node:crypto costs a command that needs no hash milliseconds.
  const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return createHash("sha256").update(bytes).digest("hex");
}

/** A missing file fails like a missing module (core/install-problem.ts: an install problem). */
function readSource(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw Object.assign(new Error(`Cannot find module '${file}'`, { cause: error }), {
      code: "MODULE_NOT_FOUND",
    });
  }
}
