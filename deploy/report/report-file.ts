import { constants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PlatformError, UsageError } from "../core/errors.js";

interface ReportTarget {
  file: string;
  /** The path as the user wrote it, for messages. */
  shownAs: string;
}

/**
 * Resolves `--report` against `cwd` and refuses a path that can't be written before the command
 * changes anything: finding out after a promotion loses its report.
 */
export async function checkReportTarget(cwd: string, shownAs: string): Promise<ReportTarget> {
  if (shownAs.trim() === "")
    throw new UsageError("--report needs a file name.", { hint: "Pass e.g. --report promotion.html." });
  const file = resolve(cwd, shownAs);
  const directory = dirname(file);
  const refuse = (why: string) =>
    new UsageError(`Can't write the HTML report to ${shownAs}: ${why}.`, {
      hint: "Create the directory first, or pass --report a path in a writable directory.",
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
  return { file, shownAs };
}

export async function writeReportFile(target: ReportTarget, html: string): Promise<void> {
  try {
    await writeFile(target.file, html);
  } catch (error) {
    throw new PlatformError(
      "report.unwritable",
      `Failed to write the HTML report to ${target.shownAs}: ${(error as Error).message}`,
      { hint: "Check the --report path and its permissions.", cause: error },
    );
  }
}
