import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Vitest global setup: dist/ is built on `npm pack` (prepack), not on install, so a fresh clone's
// `npm ci && npm test` has none. Many test files start bin/echogate.js at once, and each would
// rebuild a missing or stale dist/ over the others: build it once here, before any of them runs.

const root = fileURLToPath(new URL("../..", import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default async function setup(): Promise<void> {
  const bundle = `${root}dist/echogate.js`;
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (newestSource(`${root}deploy`) <= built) return;
  const { buildCli } = (await import(`${root}scripts/build.mjs`)) as {
    buildCli(root: string): Promise<unknown>;
  };
  await buildCli(root);
}
