import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { Diagnostic } from "./diagnostics.js";

/** Why a config file was not read. */
type RefusalReason = "missing" | "not-a-file" | "too-large" | "unreadable" | "outside-project";

type ConfigFileRead =
  | { ok: true; bytes: Buffer }
  | {
      ok: false;
      reason: RefusalReason;
      /** What the path is, or the system's error. */
      detail: string;
      /** Bytes, when the file is too large. */
      size?: number;
    };

// O_NONBLOCK: opening a FIFO for reading must never wait for a writer (it would hang the
// command and Ctrl-C with it). It changes nothing for a regular file. Windows has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a user's config file (environments/*.yaml, env files, schemas, specs) safely: only a
 * regular file (a symlink to one is fine), never more than `maxBytes`. The type and size come
 * from the opened descriptor, so what is checked is what is read; the read itself stops at
 * `maxBytes + 1` bytes, so a file that grows after the check is refused too. Never blocks.
 */
export async function readConfigFile(
  path: string,
  maxBytes: number,
  projectDir?: string,
): Promise<ConfigFileRead> {
  return readConfigFileSync(path, maxBytes, projectDir);
}

/**
 * The same read, synchronously: for the source readers that run inside synchronous collectors.
 * With `projectDir`, a file that resolves (through symlinks) outside it is refused too.
 */
export function readConfigFileSync(path: string, maxBytes: number, projectDir?: string): ConfigFileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      return { ok: false, reason: "missing", detail: "it doesn't exist" };
    return { ok: false, reason: "unreadable", detail: (error as Error).message };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { ok: false, reason: "not-a-file", detail: `it is ${kindOf(info)}` };
    if (projectDir !== undefined && !isInside(realpathSync.native(projectDir), realpathSync.native(path)))
      return { ok: false, reason: "outside-project", detail: "it leads outside the project directory" };
    if (info.size > maxBytes)
      return { ok: false, reason: "too-large", detail: sizeText(info.size), size: info.size };
    // Sized to the file (one byte more, to see it grew), and grown while the read keeps filling it:
    // a buffer of maxBytes per file would cost a zero-filled megabyte for every small config file.
    let buffer = Buffer.allocUnsafe(info.size + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) {
        if (length > maxBytes) break;
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
    }
    if (length > maxBytes)
      return { ok: false, reason: "too-large", detail: `more than ${sizeText(maxBytes)}`, size: length };
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (error) {
    return { ok: false, reason: "unreadable", detail: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}

/** A refused read as a diagnostic naming the file (`missing` is left to the caller: its message differs). */
export function refusalDiagnostic(
  codePrefix: string,
  file: string,
  refusal: Extract<ConfigFileRead, { ok: false }>,
  maxBytes: number,
): Diagnostic {
  const where = { severity: "error" as const, file };
  switch (refusal.reason) {
    case "not-a-file":
      return {
        ...where,
        code: `${codePrefix}.not-a-file`,
        message: `Can't read ${file}: ${refusal.detail}, not a regular file.`,
        hint: `Replace ${file} with a regular text file (a symlink to one is fine).`,
      };
    case "outside-project":
      return {
        ...where,
        code: `${codePrefix}.outside-project`,
        message: `Can't read ${file}: ${refusal.detail}.`,
        hint: `Replace ${file} with the file itself, not a symlink out of the project.`,
      };
    case "too-large":
      return {
        ...where,
        code: `${codePrefix}.too-large`,
        message: `Can't read ${file}: it is ${refusal.detail}; config files are limited to ${sizeText(maxBytes)}.`,
        hint: "Config files hold settings, not data; remove whatever made the file this large.",
      };
    default:
      return {
        ...where,
        code: `${codePrefix}.unreadable`,
        message: `Can't read ${file}: ${refusal.detail}.`,
        hint: `Check that ${file} exists and that you may read it.`,
      };
  }
}

/** True for a diagnostic saying a file could not be read at all (a config error, whatever the file). */
export function isFileRefusal(diagnostic: Diagnostic): boolean {
  return [".not-a-file", ".unreadable", ".too-large", ".outside-project"].some((end) =>
    diagnostic.code.endsWith(end),
  );
}

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return !inside.startsWith("..") && !isAbsolute(inside);
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isSocket()) return "a socket";
  return "a device";
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}
