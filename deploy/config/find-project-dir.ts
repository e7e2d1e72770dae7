import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

// Not imported from load-environments.ts: the CLI calls this before any command loads, and that
// module pulls in zod and yaml.
const ENVIRONMENTS_DIR = "environments";

/**
 * The nearest directory, from `start` up to the filesystem root, that holds environments/, as git
 * finds `.git`: run from `server/` or `src/` and echogate works on the project above. Undefined
 * when no ancestor has one (the caller keeps `start`).
 */
export function findProjectDir(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (isDirectory(join(dir, ENVIRONMENTS_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
