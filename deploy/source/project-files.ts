import { readdirSync } from "node:fs";
import { join, posix } from "node:path";

/** Folders never searched for a Dockerfile or Cloud Build file. */
const SKIPPED = new Set([
  "node_modules",
  ".git",
  ".echogate",
  "dist",
  "build",
  ".next",
  "coverage",
  ".turbo",
]);

const BUILD_FILE_NAME = /^(?:Dockerfile.*|cloudbuild.*\.ya?ml)$/;

/** Files of the project down to `depth` folder levels, as posix paths relative to it, sorted. */
export function listProjectFiles(projectDir: string, depth = 2): string[] {
  const files: string[] = [];
  const walk = (relative: string, level: number) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(join(projectDir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = relative ? posix.join(relative, entry.name) : entry.name;
      // Anything that is not a folder is listed (a FIFO or device named Dockerfile too), and so is a
      // folder named like a build file: the layout picks it and the one reader then says what is wrong.
      if (!entry.isDirectory() || BUILD_FILE_NAME.test(entry.name)) files.push(path);
      if (entry.isDirectory() && level < depth && !SKIPPED.has(entry.name)) walk(path, level + 1);
    }
  };
  walk("", 0);
  return files.sort();
}
