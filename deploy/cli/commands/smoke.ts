import { type CommandShape, defineCommand } from "../command.js";

export const smokeShape = {
  args: [{ name: "url", description: "Service base URL, e.g. https://chat-staging-xyz.a.run.app (no path)" }],
  options: {
    "expect-version": {
      type: "string",
      description: "Version /health must report (without it the version is only reported)",
      valueName: "<version>",
    },
    "expect-revision": {
      type: "string",
      description: "Revision /health must report (proves the gate reached the candidate)",
      valueName: "<revision>",
    },
    spec: {
      type: "string",
      description: "Standalone smoke spec YAML (overrides the environment's smoke: section)",
      valueName: "<file>",
    },
    env: {
      type: "string",
      description: "Environment whose smoke: section, live URL and gate-recorded version to use",
      valueName: "<name>",
    },
    timeout: {
      type: "string",
      description: "Budget in ms for reaching a healthy /health (overrides health.timeoutMs, default 30000)",
      valueName: "<ms>",
    },
    junit: {
      type: "string",
      description: "Also write a JUnit XML report to this file",
      valueName: "<file>",
    },
    report: {
      type: "string",
      description:
        "Also write a self-contained HTML report (checks, what each client sent and received, latency) to this file",
      valueName: "<file>",
    },
  },
} as const satisfies CommandShape;

export const smokeCommands = [
  defineCommand({
    name: "smoke",
    summary: "Prove a deployed realtime server works: /health version, then a multi-client echo",
    description:
      "Checks GET /health (retrying through cold starts) reports the expected version and revision, then opens several clients (ws-json or socket.io), joins them to a fresh room, sends one message and requires every client — the sender included — to receive it. Exit 0 when every check passed, 1 when the gate refuses, 2 for a bad URL, spec or flags.",
    examples: [
      "echogate smoke https://chat-staging-xyz.a.run.app --expect-version 1.4.0+3f2a9c1",
      "echogate smoke http://127.0.0.1:8080 --spec smoke.yaml --json",
      "echogate smoke http://127.0.0.1:8080 --timeout 2000",
      "echogate smoke https://chat-staging-xyz.a.run.app --env staging --junit smoke.xml",
      "echogate smoke https://chat-00002-abc---chat-xyz.a.run.app --expect-revision chat-00002-abc",
    ],
    ...smokeShape,
    load: () => import("../handlers/smoke.js"),
  }),
];
