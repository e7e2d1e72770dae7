import { stat } from "node:fs/promises";

/** Whether anything (a file, a directory, a live symlink) exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
