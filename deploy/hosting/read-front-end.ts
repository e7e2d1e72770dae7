import { existsSync, readdirSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { readConfigFileSync } from "../core/read-config-file.js";
import { detectWebFrontEnd, type PackageJsonLike, type WebFrontEnd } from "./detect-web-mode.js";

// Reads a project's front end for detectWebFrontEnd: its folder (the nearest one above
// hosting.publicDir that has a package.json, else the project), its file paths and, on demand,
// their text. Bounded: a front end's own source, never node_modules or build output.

const SKIPPED_DIRS = new Set([
  "node_modules",
  ".git",
  ".echogate",
  ".next",
  "out",
  "dist",
  "build",
  "coverage",
]);
const MAX_FILES = 5000;
const MAX_BYTES = 1_000_000;

export interface ReadFrontEnd extends WebFrontEnd {
  /** The front end's folder, relative to the project (`.` for the project itself). */
  dir: string;
}

/** The front end whose build lands in `publicDir` (relative to the project). */
export function readFrontEnd(projectDir: string, publicDir: string): ReadFrontEnd {
  const dir = frontEndDir(projectDir, publicDir);
  const root = join(projectDir, dir);
  const files = listFiles(root);
  const texts = new Map<string, string | undefined>();
  const readText = (file: string) => {
    if (!texts.has(file)) {
      const read = readConfigFileSync(join(root, file), MAX_BYTES, projectDir);
      texts.set(file, read.ok ? read.bytes.toString("utf8") : undefined);
    }
    return texts.get(file);
  };
  const packageJson = parsePackageJson(readText("package.json"));
  return { ...detectWebFrontEnd(packageJson, files, readText), dir };
}

function frontEndDir(projectDir: string, publicDir: string): string {
  const parts = posix.normalize(publicDir.split(sep).join("/")).split("/").filter(Boolean);
  for (let depth = parts.length - 1; depth > 0; depth--) {
    const dir = parts.slice(0, depth).join("/");
    if (existsSync(join(projectDir, dir, "package.json"))) return dir;
  }
  return ".";
}

function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.length >= MAX_FILES) return;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(full);
      } else if (entry.isFile()) files.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return files.sort();
}

function parsePackageJson(text: string | undefined): PackageJsonLike | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as PackageJsonLike) : undefined;
  } catch {
    return undefined;
  }
}
