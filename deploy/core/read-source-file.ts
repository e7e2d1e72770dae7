import { realpathSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { ConfigError } from "./errors.js";
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
  const path = join(projectDir, file);
  const read = readConfigFileSync(path, maxBytes);
  if (!read.ok) {
    if (read.reason === "missing") return undefined;
    const diagnostic = refusalDiagnostic("source", file, read, maxBytes);
    throw new ConfigError(diagnostic.code, diagnostic.message, {
      location: { file },
      ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
    });
  }
  const inside = relative(realpathSync(projectDir), realpathSync(path));
  if (inside.startsWith("..") || isAbsolute(inside)) {
    throw new ConfigError(
      "source.outside-project",
      `Can't read ${file}: it leads outside the project directory.`,
      {
        location: { file },
        hint: `Replace ${file} with the file itself, not a symlink out of the project.`,
      },
    );
  }
  return read.bytes.toString("utf8").replace(/^\uFEFF/, "");
}
