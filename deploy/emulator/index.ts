export {
  announceStarted,
  type EmulatorInfo,
  type EmulatorStatus,
  type EnsuredEmulator,
  emulatorStatus,
  ensureEmulator,
  runDaemon,
  stopEmulator,
} from "./daemon.js";
export { type RunningEmulator, type StartEmulatorOptions, startEmulator } from "./emulator.js";
