import { type CommandShape, defineCommand } from "../command.js";

export const driftShape = {
  options: {
    env: {
      type: "string",
      multiple: true,
      valueName: "<name>",
      description:
        "Only this environment, read live even if local or preview (default: staging and production live, source facts for all)",
    },
    source: {
      type: "boolean",
      description:
        "Source facts only, no cloud calls: Dockerfile vs dev script vs Cloud Build file vs env files",
    },
    markdown: { type: "boolean", description: "Print the report as Markdown (for $GITHUB_STEP_SUMMARY)" },
    report: {
      type: "string",
      description: "Also write a self-contained HTML report (the drift matrix and findings) to this file",
      valueName: "<file>",
    },
    concurrency: {
      type: "string",
      valueName: "<n>",
      description: "Services read at once (default 16)",
    },
  },
} as const satisfies CommandShape;

export const driftCommands = [
  defineCommand({
    name: "drift",
    summary: "Compare what every environment really runs; exit 1 on unexpected drift",
    description: [
      "Collects facts per environment (and region) from the live Cloud Run services: image digest,",
      "command/args, env keys (values as short hashes; secrets never), port, concurrency, CPU/memory,",
      "request timeout, min/max instances, session affinity, the revision serving traffic and its gate",
      "record, the /health version and the web runtime config's server URL. Source facts come from",
      "the Dockerfile, the dev script, the Cloud Build file (layout in environments/echogate.yaml) and the env files. Rules decide",
      "what must be equal and what may differ; environments/drift.yaml overrides them, each with a reason.",
      "Without --env, live facts come from the deployed kinds (staging, production) and source facts from",
      "every environment: a local environment is a developer's machine and a preview environment is the",
      "template of per-branch services, so CI deploys neither. Name one (--env local) to read it too.",
      "Exit codes: 0 clean (warnings allowed), 1 drift, 2 configuration error, 3 platform error.",
    ].join("\n"),
    examples: [
      "echogate drift",
      "echogate drift --source",
      "echogate drift --env staging --env production",
      "echogate drift --env local",
      'echogate drift --markdown >> "$GITHUB_STEP_SUMMARY"',
      "echogate drift --json",
      "echogate drift --report drift.html",
    ],
    ...driftShape,
    load: () => import("../handlers/drift.js"),
  }),
];
