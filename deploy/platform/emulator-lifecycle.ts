// `echogate emulator start|stop|status`: the daemon's lifecycle, the one door from the CLI to
// deploy/emulator/ (everything else reaches the emulators through their APIs, as it would Google).
export { emulatorStatus, ensureEmulator, stopEmulator } from "../emulator/index.js";
