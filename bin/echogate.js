#!/usr/bin/env node
// Runs the bundled CLI. In a source checkout the bundle is rebuilt first when
// any source file is newer (a few ms to check), so there is never a stale build.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = `${root}dist/echogate.js`;

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sourceDir = `${root}deploy`;
if (existsSync(sourceDir)) {
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (newestMtime(sourceDir) > built) {
    const { buildCli } = await import("../scripts/build.mjs");
    await buildCli(root);
  }
}
await import(bundle);
