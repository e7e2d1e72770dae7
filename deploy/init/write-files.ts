import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Writes every file or none: all contents go to temporary files beside their targets first, then
 * each is renamed into place. A file being replaced (--force) is moved aside until every rename
 * succeeded; on any error the new files are removed and the old ones put back.
 */
export async function writeFilesAtomically(
  projectDir: string,
  files: ReadonlyMap<string, string>,
): Promise<void> {
  const suffix = `.echogate-init-${randomBytes(4).toString("hex")}`;
  const staged: Array<{ target: string; temp: string; backup?: string }> = [];
  const placed: typeof staged = [];
  try {
    for (const [path, content] of files) {
      const target = join(projectDir, path);
      await mkdir(dirname(target), { recursive: true });
      const temp = `${target}${suffix}`;
      await writeFile(temp, content, { flag: "wx", mode: path.includes("/.env") ? 0o600 : 0o644 });
      staged.push({ target, temp, ...(existsSync(target) ? { backup: `${temp}.old` } : {}) });
    }
    for (const file of staged) {
      if (file.backup) await rename(file.target, file.backup);
      placed.push(file);
      await rename(file.temp, file.target);
    }
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    for (const file of placed.reverse()) {
      await rm(file.target, { force: true });
      if (file.backup) await rename(file.backup, file.target).catch(() => undefined);
    }
    throw error;
  }
  await Promise.all(staged.flatMap(({ backup }) => (backup ? [rm(backup, { force: true })] : [])));
}
