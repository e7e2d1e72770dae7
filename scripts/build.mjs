#!/usr/bin/env node
import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
// Bundles the CLI into dist/ with esbuild. Code splitting keeps each command's
// handler in its own chunk, so `echogate --help` loads only metadata.
import { build } from "esbuild";

const EXTERNAL = [
  "@google-cloud/*",
  "google-gax",
  "google-auth-library",
  "socket.io",
  "socket.io-client",
  "ws",
  "execa",
  "zx",
  "http-proxy-3",
  "esbuild",
  "tsx",
];

export async function buildCli(root = fileURLToPath(new URL("..", import.meta.url))) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      echogate: "deploy/cli/entry.ts",
      ...(existsSync(`${root}/deploy/emulator/daemon.ts`)
        ? { "emulator-daemon": "deploy/emulator/daemon.ts" }
        : {}),
    },
    outdir: "dist",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Small pure-JS dependencies are bundled (fewer files to load at start-up);
    // the large or native-backed ones stay in node_modules.
    external: EXTERNAL,
    // Bundled CommonJS dependencies (yaml) call require() for Node built-ins.
    banner: {
      js: 'import { createRequire as __echogateRequire } from "node:module"; const require = __echogateRequire(import.meta.url);',
    },
    sourcemap: "linked",
    logLevel: "warning",
    metafile: true,
  });
  // Chunk names change with content: drop the previous build's chunks so dist/ doesn't grow.
  const current = new Set(Object.keys(result.metafile.outputs).map((path) => basename(path)));
  for (const name of readdirSync(`${root}/dist`)) {
    if (!current.has(name)) rmSync(`${root}/dist/${name}`, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
