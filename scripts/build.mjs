#!/usr/bin/env node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
// Bundles the CLI into dist/ with esbuild. Code splitting keeps each command's
// handler in its own chunk, so `echogate --help` loads only metadata.
import { build } from "esbuild";

export async function buildCli(root = fileURLToPath(new URL("..", import.meta.url))) {
  await build({
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
    packages: "external",
    sourcemap: "linked",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
