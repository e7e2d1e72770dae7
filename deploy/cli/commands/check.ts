import { type CommandShape, defineCommand } from "../command.js";

export const checkShape = {
  options: {
    env: {
      type: "string",
      multiple: true,
      valueName: "<name>",
      description: "Check only this environment (others are still read, to compare against)",
    },
    junit: {
      type: "string",
      description: "Also write a JUnit XML report (a test case per environment) to this file",
      valueName: "<file>",
    },
  },
} as const satisfies CommandShape;

export const checkCommands = [
  defineCommand({
    name: "check",
    summary: "Validate environments/*.yaml and every env file, alone and against each other",
    description: [
      "Reads environments/*.yaml, environments/env.schema.yaml and each environment's env file",
      "(service.envFile), checks types and required keys, and runs the cross-environment rules:",
      "same key set, BUILD_TARGET-style names, realtime server URLs pointing at this environment,",
      "CORS origins covering the web host, no credentials in public variables. Secret values are masked.",
      "Exit codes: 0 clean (warnings allowed), 1 env-file or rule failures, 2 broken config or schema.",
    ].join("\n"),
    examples: ["echogate check", "echogate check --env staging --env production", "echogate check --json"],
    ...checkShape,
    load: () => import("../handlers/check.js"),
  }),
];
