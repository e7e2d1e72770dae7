import { readFileSync, readlinkSync } from "node:fs";
import { writePrivateFileSync } from "@echogate/common/state-file";

/** The revision processes running now, in the emulator's state directory. */
export const PIDS_FILE = "revision-pids.json";

/** A revision process the emulator started; `cwd` (its image's rootfs) tells it apart from a reused pid. */
interface TrackedProcess {
  pid: number;
  cwd: string;
}

/**
 * Remembers the revision processes the emulator runs, on disk. If the emulator dies without
 * stopping them (kill -9), the next start (or `emulator stop`) finds them here and ends them.
 * Writes are synchronous: they are rare (a process start or exit) and must not interleave.
 */
export class ProcessRegistry {
  private readonly tracked = new Map<number, TrackedProcess>();

  constructor(private readonly file: string) {}

  add(process: TrackedProcess): void {
    this.tracked.set(process.pid, process);
    this.save();
  }

  remove(pid: number): void {
    if (this.tracked.delete(pid)) this.save();
  }

  private save(): void {
    writePrivateFileSync(this.file, JSON.stringify([...this.tracked.values()]));
  }
}

/**
 * Kills processes a previous emulator left running and clears the list. A pid is only killed
 * while its working directory is still the one recorded (Linux /proc), so a pid the system has
 * since given to another program is left alone; elsewhere nothing is killed.
 */
export function reapOrphans(file: string): number[] {
  let listed: TrackedProcess[];
  try {
    listed = JSON.parse(readFileSync(file, "utf8")) as TrackedProcess[];
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const { pid, cwd } of Array.isArray(listed) ? listed : []) {
    if (typeof pid !== "number" || workingDirOf(pid) !== cwd) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed.push(pid);
    } catch {
      // Exited in the meantime.
    }
  }
  writePrivateFileSync(file, "[]");
  return killed;
}

function workingDirOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}
