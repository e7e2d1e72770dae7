import { randomBytes } from "node:crypto";
import { chmodSync, fchmodSync, openSync, writeFileSync } from "node:fs";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";

/** State under .echogate/ holds env values (secrets included): readable by its owner only. */
const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;
const STATE_ROOT = ".echogate";

/**
 * Reads an emulator's JSON state file: undefined when it does not exist yet; an error naming
 * the file and what deleting it costs when it cannot be read or parsed.
 */
export async function readStateFile<T>(file: string, owner: string, lost: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(
      `Can't read the ${owner}'s state ${file}: ${(error as Error).message}. Delete the file to start empty (${lost}).`,
      { cause: error },
    );
  }
}

/**
 * Creates `dir` (and missing parents) as 0700, and makes an existing one 0700 too, with every
 * directory between it and the .echogate/ that holds it (one made by an older version included).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const each of privateChain(dir)) await chmod(each, PRIVATE_DIR_MODE);
}

/**
 * Writes a state file atomically (temp file + rename) as 0600, in a private directory. The temp
 * name is unique per call: two writers of one file (two adapters in one process) never share it.
 */
export async function writePrivateFile(
  file: string,
  data: string | Uint8Array,
  options: { dirReady?: boolean } = {},
): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  // Hot paths (a blob per uploaded file) pass dirReady: their directory was made private on open.
  if (!options.dirReady) await ensurePrivateDir(dirname(file));
  await writeFile(temp, data, { mode: PRIVATE_FILE_MODE });
  // A temp file left by an older version keeps its mode through writeFile; the rename keeps this one.
  await chmod(temp, PRIVATE_FILE_MODE);
  await rename(temp, file);
}

/** Synchronous write of a small state file as 0600 (an existing file's mode is corrected). */
export function writePrivateFileSync(file: string, data: string): void {
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Opens a log for appending as 0600 (revision output may print env values); returns the descriptor. */
export function openPrivateLog(file: string): number {
  const fd = openSync(file, "a", PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

/** `dir` and its ancestors up to the nearest .echogate/ (just `dir` when there is none). */
function privateChain(dir: string): string[] {
  const chain: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    chain.push(current);
    if (basename(current) === STATE_ROOT) return chain;
    if (dirname(current) === current) return [dir];
  }
}
