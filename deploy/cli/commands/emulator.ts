import { defineCommand } from "../command.js";

export const emulatorCommands = [
  defineCommand({
    name: "emulator start",
    summary: "Start this project's Cloud Run and Hosting emulators (one daemon, loopback only)",
    examples: ["echogate emulator start"],
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.start })),
  }),
  defineCommand({
    name: "emulator stop",
    summary: "Stop the emulators and every revision process they run",
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.stop })),
  }),
  defineCommand({
    name: "emulator status",
    summary: "Are the emulators running, and where (`--json`: { running, apiEndpoint, hostingEndpoint })",
    examples: ["echogate emulator status --json"],
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.status })),
  }),
];
