import { mkdir, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/**
 * Builds something into a cache folder once across test workers and runs: the first caller takes
 * `<dir>.lock` (mkdir is atomic) and builds; the others wait until `isBuilt()`, or take over a
 * lock older than `staleLockMs` (its holder was killed). `build` must leave `isBuilt()` true only
 * once it is complete (write the marker last, or rename into place).
 */
export async function buildOnce(
  dir: string,
  isBuilt: () => Promise<boolean>,
  build: () => Promise<void>,
  { staleLockMs = 10 * 60_000, pollMs = 250 }: { staleLockMs?: number; pollMs?: number } = {},
): Promise<void> {
  if (await isBuilt()) return;
  await mkdir(dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (await isBuilt()) return;
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > staleLockMs) await rm(lock, { recursive: true, force: true });
      else await delay(pollMs);
    }
  }
  try {
    if (!(await isBuilt())) await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
