#!/usr/bin/env node
import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
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
