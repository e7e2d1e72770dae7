import { constants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PlatformError, UsageError } from "../core/errors.js";

interface JunitTarget {
  file: string;
  /** The path as the user wrote it, for messages. */
  shownAs: string;
}

/**
 * Resolves `--junit` against `cwd` and refuses a path that can't be written, before the gate
 * runs: finding out after a full gate run wastes it and loses its report.
 */
export async function checkJunitTarget(cwd: string, shownAs: string): Promise<JunitTarget> {
  const file = resolve(cwd, shownAs);
  const directory = dirname(file);
  const refuse = (why: string) =>
    new UsageError(`Can't write the JUnit report to ${shownAs}: ${why}.`, {
      hint: "Create the directory first, or pass --junit a path in a writable directory.",
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

export async function writeJunitFile(target: JunitTarget, xml: string): Promise<void> {
  try {
    await writeFile(target.file, xml);
  } catch (error) {
    throw new PlatformError(
      "smoke.junit-unwritable",
      `Failed to write the JUnit report to ${target.shownAs}: ${(error as Error).message}`,
      { hint: "Check the --junit path and its permissions, then run the gate again.", cause: error },
    );
  }
}
