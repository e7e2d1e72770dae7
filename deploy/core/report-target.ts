import { constants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PlatformError, UsageError } from "./errors.js";

/** A report file a command writes at its end (`--junit`, `--report`). */
interface ReportKind {
  /** The option that names the file, e.g. `--junit`. */
  flag: string;
  /** For messages: `the JUnit report`. */
  what: string;
  example: string;
  /** The error code when the final write fails. */
  unwritableCode: string;
}

interface ReportTarget {
  kind: ReportKind;
  file: string;
  /** The path as the user wrote it, for messages. */
  shownAs: string;
}

export const JUNIT_REPORT: ReportKind = {
  flag: "--junit",
  what: "the JUnit report",
  example: "--junit results.xml",
  unwritableCode: "smoke.junit-unwritable",
};

export const HTML_REPORT: ReportKind = {
  flag: "--report",
  what: "the HTML report",
  example: "--report promotion.html",
  unwritableCode: "report.unwritable",
};

/**
 * Resolves the path against `cwd` and refuses one that can't be written before the command
 * changes anything: finding out after a promotion or a full gate run loses its report.
 */
export async function checkReportTarget(
  kind: ReportKind,
  cwd: string,
  shownAs: string,
): Promise<ReportTarget> {
  if (shownAs.trim() === "")
    throw new UsageError(`${kind.flag} needs a file name.`, { hint: `Pass e.g. ${kind.example}.` });
  const file = resolve(cwd, shownAs);
  const directory = dirname(file);
  const refuse = (why: string) =>
    new UsageError(`Can't write ${kind.what} to ${shownAs}: ${why}.`, {
      hint: `Create the directory first, or pass ${kind.flag} a path in a writable directory.`,
    });
  const info = await stat(directory).catch(() => undefined);
  if (!info) throw refuse(`the directory ${directory} doesn't exist`);
  if (!info.isDirectory()) throw refuse(`${directory} is not a directory`);
  try {
    await access(directory, constants.W_OK);
  } catch {
    throw refuse(`the directory ${directory} is not writable`);
  }
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw refuse("it is a directory");
  return { kind, file, shownAs };
}

export async function writeReportFile(target: ReportTarget, text: string): Promise<void> {
  try {
    await writeFile(target.file, text);
  } catch (error) {
    throw new PlatformError(
      target.kind.unwritableCode,
      `Failed to write ${target.kind.what} to ${target.shownAs}: ${(error as Error).message}`,
      { hint: `Check the ${target.kind.flag} path and its permissions.`, cause: error },
    );
  }
}
