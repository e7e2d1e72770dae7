import { readFileSync } from "node:fs";

/**
 * Whether a process still runs. EPERM means it exists but belongs to someone else; a zombie
 * (killed, not yet reaped) answers kill(pid, 0) too but is gone, which Linux /proc tells.
 */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // The state is the first field after the parenthesised command name.
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return false;
  }
}
