export {
  type EmulatorInfo,
  type EmulatorStatus,
  emulatorStatus,
  ensureEmulator,
  runDaemon,
  stopEmulator,
} from "./daemon.js";
export { type RunningEmulator, type StartEmulatorOptions, startEmulator } from "./emulator.js";
