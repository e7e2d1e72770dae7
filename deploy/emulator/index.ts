export {
  announceStarted,
  EMULATOR_STATE_DIR,
  type EmulatorInfo,
  type EmulatorStatus,
  type EnsuredEmulator,
  emulatorStatus,
  ensureEmulator,
  runDaemon,
  stopEmulator,
} from "./daemon.js";

import type { RunningEmulator, StartEmulatorOptions } from "./emulator.js";

export type { RunningEmulator, StartEmulatorOptions };

/**
 * Starts the Cloud Run emulator in this process. Loaded on call: the CLI imports this module only
 * to find or start the daemon, and must not parse the emulator (and its API descriptors) for that.
 */
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const emulator = await import("./emulator.js");
  return emulator.startEmulator(options);
}
