import { type CommandShape, defineCommand } from "../command.js";

export const initShape = {
  options: {
    entry: {
      type: "string",
      valueName: "<file>",
      description: "The server entry file, when several are found (relative to the project)",
    },
    yes: {
      type: "boolean",
      short: "y",
      description: "Ask nothing (CI): fail with the list when a choice is needed",
    },
    "dry-run": { type: "boolean", description: "Print the files init would write; write nothing" },
    force: {
      type: "boolean",
      description: "Overwrite files init generated earlier that have since changed",
    },
  },
} as const satisfies CommandShape;

export const initCommands = [
  defineCommand({
    name: "init",
    summary: "Set up echogate in an existing repository: detect the server, draft environments/",
    description: [
      "Detects the server entry (package.json scripts start/dev/server, Dockerfile CMD/COPY, Procfile),",
      "the protocol (socket.io or ws) and the Socket.IO events the server listens for, the Dockerfile and",
      "Cloud Build file wherever they are, and the existing env files (.env, .env.local, .env.staging, …).",
      "Writes environments/echogate.yaml (layout), env.schema.yaml (types inferred; secrets marked and never",
      "copied), local/preview/staging/production.yaml with their env files, and one shared smoke.yaml.",
      "Never overwrites a changed file without --force; a re-run changes nothing; writes all files or none.",
      "Exit codes: 0 done (or nothing to do), 2 nothing usable to detect, several servers, unreadable or malformed input.",
    ].join("\n"),
    examples: [
      "echogate init",
      "echogate init --yes --entry src/server.js",
      "echogate init --dry-run --json",
    ],
    ...initShape,
    load: () => import("../handlers/init.js"),
  }),
];
