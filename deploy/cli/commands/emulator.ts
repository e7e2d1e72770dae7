import { defineCommand } from "../command.js";

export const emulatorCommands = [
  defineCommand({
    name: "emulator start",
    summary: "Start this project's Cloud Run emulator (loopback only)",
    examples: ["echogate emulator start"],
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.start })),
  }),
  defineCommand({
    name: "emulator stop",
    summary: "Stop the emulator and every revision process it runs",
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.stop })),
  }),
  defineCommand({
    name: "emulator status",
    summary: "Is the emulator running, and where (`--json` gives { running, apiEndpoint })",
    examples: ["echogate emulator status --json"],
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.status })),
  }),
];
