// The emulator daemon's lifecycle, for `echogate emulator start|stop|status`: the one door from the
// CLI to deploy/emulator/ (everything else reaches the emulator through its APIs, as it would Google).
export { emulatorStatus, ensureEmulator, stopEmulator } from "../emulator/index.js";
