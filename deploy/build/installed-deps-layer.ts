import { chmod, copyFile, lstat, mkdir, readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { readProductionTree } from "../source/production-deps.js";
import { type LayerFile, sha256Hex } from "./digest.js";

/** A file of the image that comes from the project (not generated), with where to copy it from. */
export interface SourcedLayerFile extends LayerFile {
  from: string;
}

/**
 * The installed production dependencies as image files (`node_modules/…`): every package of the
 * production tree, nested node_modules handled as their own packages, `.bin` links and other
 * symlinks left out. Hashes are taken in place, so an image already stored costs no copy.
 */
export async function installedDepsLayer(projectDir: string): Promise<SourcedLayerFile[]> {
  const tree = await readProductionTree(projectDir);
  if (tree.source !== "node_modules" || tree.missing.length > 0) {
    const missing = tree.missing.length > 0 ? ` (not installed: ${tree.missing.join(", ")})` : "";
    throw new ConfigError(
      "build.deps-not-installed",
      `Can't build with installed dependencies: the production dependencies aren't installed${missing}.`,
      {
        hint: "Run `npm ci` (or `npm ci --omit=dev`) in the project first; the image ships node_modules as installed.",
      },
    );
  }
  const files: SourcedLayerFile[] = [];
  for (const pkg of tree.packages) files.push(...(await packageFiles(projectDir, pkg.dir)));
  return files;
}

async function packageFiles(projectDir: string, dir: string): Promise<SourcedLayerFile[]> {
  const files: SourcedLayerFile[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(projectDir, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") await walk(path);
      } else if (entry.isFile()) {
        const from = join(projectDir, path);
        const stat = await lstat(from);
        files.push({
          path,
          from,
          sha256: sha256Hex(await readFile(from)),
          mode: stat.mode & 0o111 ? 0o755 : 0o644,
        });
      }
    }
  };
  await walk(dir);
  return files;
}

/** Copies the layer into an image's rootfs. */
export async function copyLayer(rootfs: string, files: readonly SourcedLayerFile[]): Promise<void> {
  const made = new Set<string>();
  for (const file of files) {
    const target = join(rootfs, file.path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true, mode: 0o700 });
      made.add(parent);
    }
    await copyFile(file.from, target);
    // Owner-only, like the rest of the store; an executable stays executable.
    await chmod(target, ((await stat(target)).mode & 0o100) | 0o600);
  }
}
