import type { EnsuredEmulator } from "@echogate/emulator";
import { messageOf, PlatformError } from "../core/errors.js";
import type { Notices } from "../core/notices.js";

/**
 * Starts the project's emulator daemon (Cloud Run and Hosting) when it isn't running, and tells
 * `notices` so; its endpoints either way. The daemon module is loaded only when a command talks to
 * the emulators.
 */
export type EnsureDaemon = () => Promise<EnsuredEmulator>;

export function daemonStarter(projectDir: string, notices: Notices = () => {}): EnsureDaemon {
  return async () => {
    const { ensureEmulator } = await import("@echogate/emulator");
    try {
      const emulator = await ensureEmulator(projectDir);
      if (emulator.started) notices(startedNotice(emulator));
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

/** The daemon outlives the command that started it, so that command says so once. */
function startedNotice(emulator: Pick<EnsuredEmulator, "apiEndpoint" | "hostingEndpoint">): string {
  const hosting = emulator.hostingEndpoint ? `, Hosting ${emulator.hostingEndpoint}` : "";
  return `Started the local emulators (Cloud Run ${emulator.apiEndpoint}${hosting}); they keep running for later commands until \`echogate emulator stop\`.`;
}
