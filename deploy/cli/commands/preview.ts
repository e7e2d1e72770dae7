import { type CommandDefinition, type CommandShape, defineCommand } from "../command.js";

const serverUrl = {
  type: "string",
  valueName: "<url>",
  description: "The environment's server URL (default: read from Cloud Run)",
} as const;

const strict = {
  type: "boolean",
  description: "Bundle scan: a *.run.app host that is not this environment's is an error, not a warning",
} as const;

export const previewDeployShape = {
  options: {
    branch: {
      type: "string",
      valueName: "<name>",
      description: "Git branch (default: GITHUB_HEAD_REF / current branch)",
    },
    env: {
      type: "string",
      valueName: "<env>",
      description: "Preview environment to base on (default: the one with kind: preview)",
    },
    ttl: {
      type: "string",
      valueName: "<duration>",
      description: "Lifetime, e.g. 7d (max 30d); renewed on every deploy",
    },
    markdown: {
      type: "boolean",
      description: "Print the PR-comment block alone on stdout (summary on stderr)",
    },
    "server-url": serverUrl,
    image: {
      type: "string",
      valueName: "<digest-ref>",
      description: "Deploy this pushed image (`echogate build --push` prints it) instead of building",
    },
    strict,
  },
} as const satisfies CommandShape;

export const previewListShape = {
  options: {
    env: {
      type: "string",
      valueName: "<env>",
      description: "Preview environment (default: kind: preview)",
    },
  },
} as const satisfies CommandShape;

export const previewCleanupShape = {
  options: {
    "older-than": {
      type: "string",
      valueName: "<duration>",
      description: "Delete previews older than this, e.g. 7d",
    },
    branch: { type: "string", valueName: "<name>", description: "Delete this branch's preview" },
    protect: {
      type: "string",
      multiple: true,
      valueName: "<branch>",
      description: "Never delete this branch's preview",
    },
    yes: { type: "boolean", short: "y", description: "Don't ask; required without a terminal" },
    env: {
      type: "string",
      valueName: "<env>",
      description: "Preview environment (default: kind: preview)",
    },
  },
} as const satisfies CommandShape;

export const webDeployShape = {
  args: [{ name: "env", description: "Environment, e.g. staging", required: true }],
  options: {
    "server-url": serverUrl,
    upload: {
      type: "boolean",
      description: "Upload the local build even when the environment promotes from another",
    },
    strict,
  },
} as const satisfies CommandShape;

export const previewCommands: CommandDefinition[] = [
  defineCommand({
    name: "preview deploy",
    summary: "Deploy a server and web channel for a branch, gated like staging",
    examples: [
      "echogate preview deploy --branch feature/Login-Flow_v2",
      "echogate preview deploy --markdown",
    ],
    ...previewDeployShape,
    load: () => import("../handlers/preview-deploy.js"),
  }),
  defineCommand({
    name: "preview list",
    summary: "List previews: branch, service, web URL, version, gate, age, expiry",
    examples: ["echogate preview list", "echogate preview list --json"],
    ...previewListShape,
    load: () => import("../handlers/preview-list.js"),
  }),
  defineCommand({
    name: "preview cleanup",
    summary: "Delete expired or named previews (service and web channel)",
    examples: [
      "echogate preview cleanup --older-than 7d",
      "echogate preview cleanup --branch feature/x --yes",
    ],
    ...previewCleanupShape,
    load: () => import("../handlers/preview-cleanup.js"),
  }),
  defineCommand({
    name: "web deploy",
    summary: "Upload the web build (or promote it) and gate it against its server",
    description:
      "Builds the front end for hosting.mode (runtime-config: reads publicDir; template: builds once with placeholders and substitutes this environment's public values; rebuild: builds with them and, when promoting, proves the build equal to the gated one except for those values), scans it against every environment's live servers, uploads only changed files, writes /echogate.json, runs the pair gate on a side channel, then releases and records the release with the serving revision. Environments with promotesFrom take the gated web (clone, template or equivalent rebuild) instead of uploading.",
    examples: ["echogate web deploy staging", "echogate web deploy production"],
    ...webDeployShape,
    load: () => import("../handlers/web-deploy.js"),
  }),
];
