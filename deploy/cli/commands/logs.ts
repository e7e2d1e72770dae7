import { type CommandShape, defineCommand } from "../command.js";

export const logsShape = {
  args: [{ name: "environment", description: "Environment whose service's logs to read", required: true }],
  options: {
    revision: {
      type: "string",
      description: "Revision to read (default: the one serving the most traffic)",
      valueName: "<revision>",
    },
    since: {
      type: "string",
      description: "Only entries from this long ago on: 90s, 10m, 2h, 1d",
      valueName: "<duration>",
    },
    follow: {
      type: "boolean",
      description: "Keep printing new entries until interrupted (Ctrl-C)",
    },
  },
} as const satisfies CommandShape;

export const logsCommands = [
  defineCommand({
    name: "logs",
    summary: "Print a revision's logs: the emulator's log files, or Cloud Logging on Google",
    description:
      "Reads what the environment's revision printed. On the emulator (service.endpoint: local): the revision's log file in .echogate/emulator/logs/<service>__<revision>.log, one timestamped line per line of stdout and stderr. On Google: Cloud Logging entries of the revision (resource.type cloud_run_revision, its service_name, revision_name and location) through the Logging v2 API with Application Default Credentials (roles/logging.viewer). The revision defaults to the one serving the most traffic in the environment's first region. --json prints one document ({ entries }) or, with --follow, one JSON line per entry.",
    examples: [
      "echogate logs staging",
      "echogate logs production --since 10m",
      "echogate logs staging --revision chat-staging-00002-abc --follow",
      "echogate logs production --since 1h --json",
    ],
    ...logsShape,
    load: () => import("../handlers/logs.js"),
  }),
];
