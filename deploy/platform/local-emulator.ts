import { messageOf, PlatformError } from "../core/errors.js";
import type { EnsuredEmulator } from "../emulator/index.js";

/**
 * Starts the project's emulator daemon (Cloud Run and Hosting) when it isn't running, and says so;
 * its endpoints either way. The daemon module is loaded only when a command talks to the emulators.
 */
export type EnsureDaemon = () => Promise<EnsuredEmulator>;

export function daemonStarter(projectDir: string): EnsureDaemon {
  return async () => {
    const { announceStarted, ensureEmulator } = await import("../emulator/index.js");
    try {
      const emulator = await ensureEmulator(projectDir);
      announceStarted(emulator);
      return emulator;
    } catch (error) {
      throw new PlatformError(
        "emulator.start",
        `Failed to start the local Cloud Run and Hosting emulators: ${messageOf(error)}`,
        {
          hint: "Run `echogate emulator start` to see why, or check .echogate/emulator/daemon.log.",
          cause: error,
        },
      );
    }
  };
}
