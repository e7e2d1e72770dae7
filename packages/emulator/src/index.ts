// The emulators' one entry point: the daemon's lifecycle, where they keep a project's state and
// answer their own endpoints, and in-process starters loaded on call (a command that only finds or
// starts the daemon must not parse the emulators and their API descriptors).

import type { RunningEmulator, StartEmulatorOptions } from "./emulator.js";
import type { HostingEmulator, HostingEmulatorOptions } from "./hosting/start-hosting-emulator.js";

export {
  type EmulatorInfo,
  type EmulatorStatus,
  type EnsuredEmulator,
  emulatorStatus,
  ensureEmulator,
  runDaemon,
  stopEmulator,
} from "./daemon.js";
export type { InstancesReport } from "./instances-endpoint.js";
export { type EmulatorDirs, type EmulatorEndpoints, emulatorDirs, emulatorEndpoints } from "./locations.js";
export type { HostingEmulator, HostingEmulatorOptions, RunningEmulator, StartEmulatorOptions };

/** Starts the Cloud Run emulator (Admin API v2, Secret Manager, metadata server) in this process. */
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  return (await import("./emulator.js")).startEmulator(options);
}

/** Starts the Firebase Hosting emulator (REST v1beta1 and its channel servers) in this process. */
export async function startHostingEmulator(options: HostingEmulatorOptions): Promise<HostingEmulator> {
  return (await import("./hosting/start-hosting-emulator.js")).startHostingEmulator(options);
}
