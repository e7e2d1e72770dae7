#!/usr/bin/env node
import { existsSync, readdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// Bundles the CLI into dist/ with esbuild. Code splitting keeps each command's
// handler in its own chunk, so `echogate --help` loads only metadata.
import { build } from "esbuild";

/**
 * Everything pure-JS is bundled into dist/, so a host project's npm `overrides` or hoisting can't
 * swap a module under echogate. What stays external must: esbuild ships a native binary it finds
 * by path (a runtime dependency), and ws's optional native speed-ups are loaded inside try/catch.
 */
export const EXTERNAL = ["esbuild", "bufferutil", "utf-8-validate"];

/** The module the bundled Google clients get for `google-gax`: its REST transport only. */
export const GOOGLE_GAX_REST = "scripts/google-gax-rest.cjs";

/**
 * Resolves `require("google-gax")` (exactly; its subpaths stay as they are) to GOOGLE_GAX_REST, so
 * the gRPC transport echogate never uses (fallback: true everywhere) is neither bundled nor parsed.
 * GOOGLE_GAX_REST may read google-gax's own files that its package `exports` doesn't list.
 */
function googleGaxRestOnly(root) {
  const shim = resolve(root, GOOGLE_GAX_REST);
  const gaxSource = dirname(createRequire(join(root, "package.json")).resolve("google-gax"));
  return {
    name: "google-gax-rest-only",
    setup(build) {
      build.onResolve({ filter: /^google-gax$/ }, () => ({ path: shim }));
      build.onResolve({ filter: /^google-gax\/build\/src\/[\w/]+\.js$/ }, (args) =>
        args.importer === shim
          ? { path: join(gaxSource, args.path.slice("google-gax/build/src/".length)) }
          : undefined,
      );
    },
  };
}

/**
 * Bundles a JSON file as `JSON.parse("…")` instead of an object literal: V8 scans a string far
 * faster than it parses a literal, and the Google clients' proto descriptors are ~1 MB of JSON.
 */
const jsonAsString = {
  name: "json-as-string",
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      // Parsed here first, so invalid JSON still fails the build, and minified.
      const json = JSON.stringify(JSON.parse(text));
      return { contents: `module.exports = JSON.parse(${JSON.stringify(json)});`, loader: "js" };
    });
  },
};

/** Builds dist/ (or `outdir`, relative to root) and returns esbuild's metafile. */
export async function buildCli(root = fileURLToPath(new URL("..", import.meta.url)), outdir = "dist") {
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      echogate: "deploy/cli/entry.ts",
      ...(existsSync(`${root}/deploy/emulator/daemon.ts`)
        ? { "emulator-daemon": "deploy/emulator/daemon.ts" }
        : {}),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    plugins: [googleGaxRestOnly(root), jsonAsString],
    // Bundled CommonJS dependencies call require() for Node built-ins, and some (google-gax) read
    // __dirname at load time for proto paths used only by the gRPC transport echogate doesn't use.
    banner: {
      js: [
        'import { createRequire as __echogateRequire } from "node:module";',
        'import { dirname as __echogateDirname } from "node:path";',
        'import { fileURLToPath as __echogateFileUrlToPath } from "node:url";',
        "const require = __echogateRequire(import.meta.url);",
        "const __filename = __echogateFileUrlToPath(import.meta.url);",
        "const __dirname = __echogateDirname(__filename);",
      ].join(" "),
    },
    sourcemap: "linked",
    // The maps name source files; their text would triple the package size (bundled dependencies).
    sourcesContent: false,
    logLevel: "warning",
    metafile: true,
  });
  // Chunk names change with content: drop the previous build's chunks so dist/ doesn't grow.
  const current = new Set(Object.keys(result.metafile.outputs).map((path) => basename(path)));
  const out = resolve(root, outdir);
  for (const name of readdirSync(out)) {
    if (!current.has(name)) rmSync(join(out, name), { force: true });
  }
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
