import type { EnsuredEmulator } from "@echogate/emulator";
import { messageOf, PlatformError } from "../core/errors.js";
import { notice } from "../core/notices.js";

/**
 * Starts the project's emulator daemon (Cloud Run and Hosting) when it isn't running, and says so;
 * its endpoints either way. The daemon module is loaded only when a command talks to the emulators.
 */
export type EnsureDaemon = () => Promise<EnsuredEmulator>;

export function daemonStarter(projectDir: string): EnsureDaemon {
  return async () => {
    const { ensureEmulator } = await import("@echogate/emulator");
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

/** Told once, by whoever started the daemon for an environment with `endpoint: local`. */
function announceStarted(emulator: EnsuredEmulator): void {
  if (!emulator.started) return;
  notice(
    `Started the local emulators (Cloud Run ${emulator.apiEndpoint}${emulator.hostingEndpoint ? `, Hosting ${emulator.hostingEndpoint}` : ""}); they keep running for later commands until \`echogate emulator stop\`.`,
  );
}
