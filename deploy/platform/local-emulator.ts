import type { EnsuredEmulator } from "../emulator/index.js";

/**
 * Starts the project's emulator daemon when it isn't running (and says so); its endpoints either way.
 * The daemon module is loaded only when a command talks to the local emulator.
 */
export type EnsureDaemon = () => Promise<EnsuredEmulator>;

export function daemonStarter(projectDir: string): EnsureDaemon {
  return async () => {
    const { announceStarted, ensureEmulator } = await import("../emulator/index.js");
    const emulator = await ensureEmulator(projectDir);
    announceStarted(emulator);
    return emulator;
  };
}
