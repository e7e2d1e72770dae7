import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

// Cache files (compiled code, parsed config) are trusted as they are read back: they are read only
// from a directory and a file that only this user can write, and written only there.

const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** Cache files kept in a directory; the least recently written go first. */
const MAX_CACHE_FILES = 40;

/** The file's bytes when it and its directory are this user's own and private; else undefined. */
export function readPrivateCacheFile(file: string): Buffer | undefined {
  try {
    if (!isPrivate(lstatSync(dirname(file)), "directory")) return undefined;
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stats = fstatSync(fd);
      if (!isPrivate(stats, "file") || stats.size > MAX_CACHE_BYTES) return undefined;
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

function isPrivate(stats: Stats, kind: "file" | "directory"): boolean {
  const rightKind = kind === "file" ? stats.isFile() : stats.isDirectory();
  return rightKind && stats.uid === process.getuid?.() && (stats.mode & 0o077) === 0;
}

/** Cache files are named `<name>-<hex key>.<v8|json>`. */
const CACHE_FILE = /-[0-9a-f]+\.(?:v8|json)$/;

/**
 * Atomic 0600 write into a 0700 directory. Older cache files of the same name go, and the oldest
 * others past MAX_CACHE_FILES. Never throws.
 */
export function writePrivateCacheFile(cacheFile: string, data: () => Buffer): void {
  try {
    const dir = dirname(cacheFile);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(lstatSync(dir), "directory")) return;
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, data(), { mode: 0o600, flag: "wx" });
    renameSync(temp, cacheFile);
    const prefix = `${basename(cacheFile).replace(CACHE_FILE, "")}-`;
    const caches = readdirSync(dir).filter((name) => CACHE_FILE.test(name));
    for (const name of caches)
      if (name.startsWith(prefix) && name !== basename(cacheFile)) rmSync(join(dir, name), { force: true });
    const others = caches.filter((name) => !name.startsWith(prefix));
    if (others.length >= MAX_CACHE_FILES) removeOldest(dir, others, others.length - MAX_CACHE_FILES + 1);
  } catch {
    // An unwritable cache only costs the next run the work it would have saved.
  }
}

function removeOldest(dir: string, names: string[], count: number): void {
  const byAge = names
    .map((name) => ({ name, written: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.written - b.written);
  for (const { name } of byAge.slice(0, count)) rmSync(join(dir, name), { force: true });
}
