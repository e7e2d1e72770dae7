import { createHash } from "node:crypto";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { ConfigError } from "../core/errors.js";

export interface SiteFile {
  /** Request path, e.g. `/index.html`. */
  path: string;
  content: Buffer;
  gzipped: Buffer;
  /** sha256 of the gzipped bytes: Firebase Hosting's content address. */
  hash: string;
}

/** Pure: gzip with fixed settings (no mtime in the header) so equal content always hashes the same. */
export function siteFile(path: string, content: Buffer): SiteFile {
  const gzipped = gzipSync(content, { level: 9 });
  return { path, content, gzipped, hash: createHash("sha256").update(gzipped).digest("hex") };
}

/**
 * Reads a built web directory inside `projectDir`; a missing directory, one without index.html, or
 * one that resolves (through a symlink) outside the project is a configuration error (exit 2).
 * Symlinks inside it are not followed: only regular files are published.
 */
export async function readSiteDir(dir: string, shownAs: string, projectDir: string): Promise<SiteFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ConfigError("hosting.no-build", `Can't deploy the web front end: ${shownAs} does not exist.`, {
      hint: "Build the front end first, or set hosting.publicDir in environments/<env>.yaml.",
    });
  }
  const [real, realProject] = await Promise.all([realpath(dir), realpath(projectDir)]);
  const inside = relative(realProject, real);
  if (inside.startsWith("..") || isAbsolute(inside)) {
    throw new ConfigError(
      "hosting.outside-project",
      `Can't publish ${shownAs}: it resolves to ${real}, outside the project directory.`,
      {
        hint: "Point hosting.publicDir at a directory inside the project (not a symlink leading out of it).",
      },
    );
  }
  const paths: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) paths.push(full);
    }
  };
  await walk(dir);
  // Without a root index.html the site's `/` answers Not Found, however many other files there are.
  if (!paths.includes(join(dir, "index.html"))) {
    const problem = paths.length === 0 ? "is empty" : "has no index.html at its root";
    throw new ConfigError("hosting.empty-build", `Can't deploy the web front end: ${shownAs} ${problem}.`, {
      hint: "Build the front end into that directory first; its index.html is what the site serves at /.",
    });
  }
  paths.sort();
  const files: SiteFile[] = [];
  for (const full of paths)
    files.push(siteFile(`/${relative(dir, full).split(sep).join("/")}`, await readFile(full)));
  return files;
}
