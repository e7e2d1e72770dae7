import { readFile } from "node:fs/promises";

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
