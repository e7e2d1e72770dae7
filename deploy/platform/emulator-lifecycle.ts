// `echogate emulator start|stop|status`: the daemon's lifecycle, the CLI's one door to the
// emulator package (everything else reaches the emulators through their APIs, as it would Google).
export { emulatorStatus, ensureEmulator, stopEmulator } from "@echogate/emulator";
