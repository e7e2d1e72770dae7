import { type CommandShape, defineCommand } from "../command.js";

export const emulatorSitesShape = {
  args: [{ name: "site", description: "One site id to create instead of those environments/ names" }],
  options: {
    project: {
      type: "string",
      description: "Project of the site given as argument (default: local)",
      valueName: "<id>",
    },
  },
} as const satisfies CommandShape;

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
    name: "emulator sites",
    summary:
      "Create Hosting sites in the local emulator (default: every `provider: local` site of environments/)",
    description:
      "Like Firebase, the local Hosting emulator deploys only to sites created first (`firebase hosting:sites:create` on Google); a deploy to an unknown site is 404. Existing sites are kept.",
    examples: ["echogate emulator sites", "echogate emulator sites chat-staging --json"],
    ...emulatorSitesShape,
    load: () => import("../handlers/emulator-sites.js"),
  }),
  defineCommand({
    name: "emulator status",
    summary: "Are the emulators running, and where (`--json`: { running, apiEndpoint, hostingEndpoint })",
    examples: ["echogate emulator status --json"],
    load: () => import("../handlers/emulator.js").then((m) => ({ run: m.status })),
  }),
];
