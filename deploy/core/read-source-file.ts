import { join } from "node:path";
import { configErrorFrom } from "./diagnostics.js";
import { readConfigFileSync, refusalDiagnostic } from "./read-config-file.js";

/** Source files echogate reads (package.json, Dockerfile, Cloud Build, version files): settings, not data. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** Lock files of real projects run to several MB. */
export const MAX_LOCKFILE_BYTES = 32 * 1024 * 1024;

/**
 * A project file as text, read through the one bounded, non-blocking reader: undefined when it does
 * not exist; a configuration error (exit 2) naming the file when it is a directory, a FIFO, a
 * device, too large, unreadable, or a symlink leading out of the project. A leading BOM is dropped.
 */
export function readSourceText(
  projectDir: string,
  file: string,
  maxBytes: number = MAX_SOURCE_BYTES,
): string | undefined {
  const read = readConfigFileSync(join(projectDir, file), maxBytes, projectDir);
  if (!read.ok) {
    if (read.reason === "missing") return undefined;
    throw configErrorFrom([refusalDiagnostic("source", file, read, maxBytes)]);
  }
  return read.bytes.toString("utf8").replace(/^\uFEFF/, "");
}
