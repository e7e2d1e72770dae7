import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The echogate package's root: the nearest folder above this module whose package.json is echogate's. */
function echogatePackageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "echogate") return dir;
      } catch {
        // Not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** `$schema` folder as seen from the project's environments/: the installed package's schemas/. */
export function schemaDirFor(projectDir: string): string {
  const root = echogatePackageRoot();
  if (!root) return "../node_modules/echogate/schemas";
  return relative(join(projectDir, "environments"), join(root, "schemas")).split("\\").join("/");
}
