import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

function isEchogatePackage(dir: string): boolean {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "echogate";
  } catch {
    return false;
  }
}

/**
 * `$schema` folder as seen from the project's environments/: echogate's schemas/ where the project
 * resolves the package (its node_modules/echogate, or a workspace root's above it), or undefined when
 * it is not installed there. Never the running copy's own path: under `npx echogate` that is the npx
 * cache, which moves and is cleaned, and would be committed into the project's files.
 */
export function schemaDirFor(projectDir: string): string | undefined {
  let dir = projectDir;
  for (let i = 0; i < 12; i++) {
    const installed = join(dir, "node_modules", "echogate");
    if (isEchogatePackage(installed) && existsSync(join(installed, "schemas")))
      return relative(join(projectDir, "environments"), join(installed, "schemas")).split("\\").join("/");
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
