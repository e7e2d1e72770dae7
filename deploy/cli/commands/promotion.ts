import { type CommandShape, defineCommand } from "../command.js";

const environmentArg = {
  name: "environment",
  description: "Environment name (environments/<name>.yaml)",
  required: true,
} as const;

/** --report and --junit: the same files for every command that moves traffic. */
const reportOptions = {
  report: {
    type: "string",
    description: "Also write a self-contained HTML report (plan, steps, gates, traffic) to this file",
    valueName: "<file>",
  },
  junit: {
    type: "string",
    description: "Also write a JUnit XML report (steps and gate checks) to this file",
    valueName: "<file>",
  },
} as const;

export const deployShape = {
  args: [environmentArg],
  options: {
    image: {
      type: "string",
      description: "Deploy this image instead of building (stored locally, or pushed with --version)",
      valueName: "<digest-ref>",
    },
    version: {
      type: "string",
      description: "Version an --image built elsewhere (Cloud Build) reports on /health",
      valueName: "<version>",
    },
    "dry-run": {
      type: "boolean",
      description: "Print the plan (digest, revision, traffic moves, checks); change nothing",
    },
    ...reportOptions,
    fault: {
      type: "string",
      description: "Demo/test only: build with a known bug",
      valueName: "<fault>",
      hidden: true,
    },
  },
} as const satisfies CommandShape;

export const promoteShape = {
  args: [environmentArg],
  options: {
    image: {
      type: "string",
      description: "Require this digest (refused unless it passed upstream)",
      valueName: "<digest-ref>",
    },
    "dry-run": { type: "boolean", description: "Print the plan; change nothing" },
    "server-only": {
      type: "boolean",
      description: "Promote the server alone on purpose (otherwise a web half that can't follow exits 1)",
    },
    strict: {
      type: "boolean",
      description:
        "Web bundle scan: a *.run.app host that is not this environment's is an error, not a warning",
    },
    ...reportOptions,
  },
} as const satisfies CommandShape;

export const rollbackShape = {
  args: [environmentArg],
  options: {
    to: {
      type: "string",
      description: "Roll back to this revision (it must have passed its gate)",
      valueName: "<revision>",
    },
    "dry-run": { type: "boolean", description: "Print what would move; change nothing" },
    report: {
      type: "string",
      description: "Also write a self-contained HTML report (plan, steps, gate, traffic) to this file",
      valueName: "<file>",
    },
  },
} as const satisfies CommandShape;

export const statusShape = {
  args: [{ name: "environment", description: "Only this environment" }],
  options: {
    markdown: { type: "boolean", description: "Print the table as Markdown (for $GITHUB_STEP_SUMMARY)" },
  },
} as const satisfies CommandShape;

export const promotionCommands = [
  defineCommand({
    name: "deploy",
    summary: "Deploy a build beside live traffic, gate it with the smoke test, then shift traffic",
    description: [
      "Builds (or takes --image), creates a candidate revision with 0% traffic and a `candidate` tag,",
      "smoke-tests the tag URL (version and revision must be the candidate's), shifts traffic per",
      "rollout.steps with a smoke at each step, and records the gate result on the service in the",
      "same update that moves traffic. A failure before the shift leaves traffic untouched; after it,",
      "traffic goes back. For environments with promotesFrom use `echogate promote`.",
    ].join("\n"),
    examples: [
      "echogate deploy staging",
      "echogate deploy staging --image sha256:…",
      "echogate deploy staging --image us-docker.pkg.dev/p/r/chat@sha256:… --version 1.4.0+3f2a9c1",
      "echogate deploy staging --dry-run --json",
      "echogate deploy staging --report deploy.html --junit deploy.xml",
    ],
    ...deployShape,
    load: () => import("../handlers/deploy.js"),
  }),
  defineCommand({
    name: "promote",
    summary: "Give an environment the digest that passed its promotesFrom environment's gate",
    description: [
      "Takes the digest recorded as passed on the revision serving its promotesFrom environment",
      "(production ← staging) and runs the same gated pipeline. Refuses anything else.",
    ].join("\n"),
    examples: [
      "echogate promote production --dry-run",
      "echogate promote production",
      "echogate promote production --report promotion.html",
    ],
    ...promoteShape,
    load: () => import("../handlers/promote.js"),
  }),
  defineCommand({
    name: "rollback",
    summary: "Move traffic back to the previous revision that passed its gate",
    examples: [
      "echogate rollback production",
      "echogate rollback staging --to echogate-chat-staging-1a2b3c4-d5e6f",
    ],
    ...rollbackShape,
    load: () => import("../handlers/rollback.js"),
  }),
  defineCommand({
    name: "status",
    summary: "Every environment: version, digest, revision, traffic split, last gate, URL, age",
    description:
      "An environment whose file has config errors is listed as broken with its first error. Exit 0 when every environment was read, 2 when a file is broken, 3 when the platform could not be read.",
    examples: [
      "echogate status",
      "echogate status --json",
      'echogate status --markdown >> "$GITHUB_STEP_SUMMARY"',
    ],
    ...statusShape,
    load: () => import("../handlers/status.js"),
  }),
];
