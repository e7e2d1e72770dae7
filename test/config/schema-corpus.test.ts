import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// The published JSON Schemas (schemas/*.json, what an editor validates against) and the tool
// (`echogate check`) judge the same corpus of configs: they must agree, except where the tool's
// rule needs another file or can't be written in JSON Schema (`beyondSchema` says which and why).

const ROOT = resolve(import.meta.dirname, "../..");
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Target = "environment" | "smoke" | "project" | "drift" | "env-schema";
const FILES: Record<Target, { path: string; schema: string }> = {
  environment: { path: "environments/staging.yaml", schema: "environment.schema.json" },
  smoke: { path: "environments/smoke.yaml", schema: "smoke.schema.json" },
  project: { path: "environments/echogate.yaml", schema: "project.schema.json" },
  drift: { path: "environments/drift.yaml", schema: "drift.schema.json" },
  "env-schema": { path: "environments/env.schema.yaml", schema: "env-schema.schema.json" },
};

interface Case {
  name: string;
  target: Target;
  yaml: string;
  valid: boolean;
  /** The tool refuses it for a reason JSON Schema can't state; the schema accepts it. */
  beyondSchema?: string;
}

/** staging.yaml of the valid fixture project, with `service` keys added and more top-level YAML. */
function staging(service: string[] = [], more = "", name = "echogate-chat-staging"): string {
  return [
    "kind: staging",
    "service:",
    "  endpoint: google",
    "  project: echogate-demo",
    ...(service.some((line) => line.startsWith("regions:")) ? [] : ["  regions: [us-central1]"]),
    `  name: ${name}`,
    "  envFile: .env.staging",
    ...service.map((line) => `  ${line}`),
    "hosting:",
    "  provider: firebase",
    "  site: echogate-demo-staging",
    more,
  ].join("\n");
}

const socketIoEcho = (lines: string[]) =>
  ["echo:", "  protocol: socket.io", ...lines.map((l) => `  ${l}`)].join("\n");
const GOOD_SOCKET_IO = [
  "join: { event: join-room, payload: { roomId: '{{room}}' } }",
  "send: { event: chat-message, payload: { id: '{{nonce}}' } }",
  "expect: { event: chat-message, match: { id: '{{nonce}}' } }",
];

const CORPUS: Case[] = [
  // environments/<name>.yaml
  { name: "the fixture's staging", target: "environment", yaml: staging(), valid: true },
  {
    name: "service name with uppercase and _",
    target: "environment",
    yaml: staging([], "", "Echogate_Staging"),
    valid: false,
  },
  {
    name: "service name ending with a dash",
    target: "environment",
    yaml: staging([], "", "chat-staging-"),
    valid: false,
  },
  {
    name: "service name of 38 characters (no room for the candidate tag)",
    target: "environment",
    yaml: staging([], "", `c${"x".repeat(37)}`),
    valid: false,
  },
  {
    name: "service name of 37 characters",
    target: "environment",
    yaml: staging([], "", `c${"x".repeat(36)}`),
    valid: true,
  },
  {
    name: "maxInstances 3 without a backplane",
    target: "environment",
    yaml: staging(["maxInstances: 3"]),
    valid: false,
  },
  {
    name: "maxInstances 3 with backplane none",
    target: "environment",
    yaml: staging(["maxInstances: 3", "backplane: none"]),
    valid: false,
  },
  {
    name: "maxInstances 3 with backplane redis",
    target: "environment",
    yaml: staging(["maxInstances: 3", "minInstances: 2", "backplane: redis"]),
    valid: true,
  },
  {
    name: "two regions without a backplane",
    target: "environment",
    yaml: staging(["regions: [us-central1, europe-west1]", "globalUrl: https://chat.example.com"]),
    valid: false,
  },
  {
    name: "two regions on google without globalUrl",
    target: "environment",
    yaml: staging(["regions: [us-central1, europe-west1]", "backplane: redis"]),
    valid: false,
  },
  {
    name: "two regions, redis, globalUrl",
    target: "environment",
    yaml: staging([
      "regions: [us-central1, europe-west1]",
      "backplane: redis",
      "globalUrl: https://chat.example.com",
    ]),
    valid: true,
  },
  {
    name: "globalUrl over http",
    target: "environment",
    yaml: staging([
      "regions: [us-central1, europe-west1]",
      "backplane: redis",
      "globalUrl: http://chat.example.com",
    ]),
    valid: false,
  },
  {
    name: "partial rollout step without a backplane",
    target: "environment",
    yaml: staging([], "rollout: { steps: [10, 100] }"),
    valid: false,
  },
  {
    name: "partial rollout steps with redis",
    target: "environment",
    yaml: staging(["backplane: redis"], "rollout: { steps: [10, 50, 100] }"),
    valid: true,
  },
  {
    name: "rollout never reaching 100",
    target: "environment",
    yaml: staging(["backplane: redis"], "rollout: { steps: [50] }"),
    valid: false,
  },
  {
    name: "rollout repeating a step",
    target: "environment",
    yaml: staging(["backplane: redis"], "rollout: { steps: [50, 50, 100] }"),
    valid: false,
  },
  {
    name: "rollout steps out of order",
    target: "environment",
    yaml: staging(["backplane: redis"], "rollout: { steps: [100, 50] }"),
    valid: false,
    beyondSchema: "steps must increase: JSON Schema can't compare one item with the next",
  },
  {
    name: "google project id of 2 characters",
    target: "environment",
    yaml: staging().replace("project: echogate-demo", "project: ab"),
    valid: false,
  },
  {
    name: "2-character project id on the local endpoint",
    target: "environment",
    yaml: staging()
      .replace("endpoint: google", "endpoint: local")
      .replace("project: echogate-demo", "project: ab"),
    valid: true,
  },
  {
    name: "web mode template without a build command",
    target: "environment",
    yaml: staging([], "  mode: template"),
    valid: false,
  },
  {
    name: "web mode template with a build command",
    target: "environment",
    yaml: staging([], "  mode: template\n  build: { command: npx vite build }"),
    valid: true,
  },
  {
    name: "an origin with a path",
    target: "environment",
    yaml: staging([], "  origins: [https://chat.example.com/app]"),
    valid: false,
  },
  {
    name: "an origin",
    target: "environment",
    yaml: staging([], "  origins: [https://chat.example.com]"),
    valid: true,
  },
  { name: "a misspelt key", target: "environment", yaml: `${staging()}\nservce: {}`, valid: false },
  { name: "cpu that is not a count", target: "environment", yaml: staging(["cpu: lots"]), valid: false },
  {
    name: "minInstances above maxInstances",
    target: "environment",
    yaml: staging(["minInstances: 3", "maxInstances: 2", "backplane: redis"]),
    valid: false,
    beyondSchema: "minInstances ≤ maxInstances compares two values (ajv's $data is not JSON Schema)",
  },
  {
    name: "promotesFrom an environment that doesn't exist",
    target: "environment",
    yaml: staging([], "promotesFrom: nowhere"),
    valid: false,
    beyondSchema: "cross-file: the environments are the other files in environments/",
  },
  {
    name: "an embedded socket.io smoke whose join has no event",
    target: "environment",
    yaml: staging([], `smoke:\n  echo:\n    protocol: socket.io\n    join: { payload: { roomId: x } }`),
    valid: false,
  },

  // environments/smoke.yaml
  { name: "an empty smoke spec (the defaults)", target: "smoke", yaml: "{}", valid: true },
  {
    name: "socket.io join, send and expect",
    target: "smoke",
    yaml: socketIoEcho(GOOD_SOCKET_IO),
    valid: true,
  },
  {
    name: "socket.io send without an event",
    target: "smoke",
    yaml: socketIoEcho([GOOD_SOCKET_IO[0]!, "send: { payload: 1 }", GOOD_SOCKET_IO[2]!]),
    valid: false,
  },
  {
    name: "send without expect",
    target: "smoke",
    yaml: socketIoEcho([GOOD_SOCKET_IO[0]!, GOOD_SOCKET_IO[1]!]),
    valid: false,
  },
  { name: "ws-json with polling", target: "smoke", yaml: "echo:\n  transports: [polling]", valid: false },
  {
    name: "a transport twice",
    target: "smoke",
    yaml: socketIoEcho(["transports: [websocket, websocket]"]),
    valid: false,
  },
  {
    name: "ws-json send with args",
    target: "smoke",
    yaml: "echo:\n  send: { args: [1, 2] }\n  expect: { match: 1 }",
    valid: false,
  },
  {
    name: "ws-json expect without match",
    target: "smoke",
    yaml: "echo:\n  send: { payload: { a: 1 } }\n  expect: {}",
    valid: false,
  },
  {
    name: "ws-json send with ack",
    target: "smoke",
    yaml: "echo:\n  send: { payload: 1, ack: true }\n  expect: { match: 1 }",
    valid: false,
  },
  {
    name: "socket.io expect.ack",
    target: "smoke",
    yaml: socketIoEcho([GOOD_SOCKET_IO[1]!, "expect: { event: chat-message, ack: true }"]),
    valid: false,
  },
  {
    name: "socket.io join with payload and args",
    target: "smoke",
    yaml: socketIoEcho(["join: { event: j, payload: 1, args: [1] }"]),
    valid: false,
  },
  {
    name: "health path without a leading slash",
    target: "smoke",
    yaml: "health: { path: health }",
    valid: false,
  },
  {
    name: "socket.io join waiting for its acknowledgement",
    target: "smoke",
    yaml: socketIoEcho(["join: { event: j, payload: 1, waitFor: { ack: true } }"]),
    valid: true,
  },
  {
    name: "socket.io join waiting for an acknowledgement and an event",
    target: "smoke",
    yaml: socketIoEcho(["join: { event: j, payload: 1, waitFor: { ack: true, event: joined } }"]),
    valid: false,
  },
  {
    name: "an unknown template",
    target: "smoke",
    yaml: socketIoEcho(["join: { event: j, payload: '{{nope}}' }"]),
    valid: false,
    beyondSchema: "template names inside any JSON value: a pattern can't reach into free-form payloads",
  },
  { name: "50 clients at most", target: "smoke", yaml: "echo:\n  clients: 51", valid: false },

  // environments/echogate.yaml
  {
    name: "version from a file with a pattern",
    target: "project",
    yaml: "version:\n  from: file\n  file: VERSION\n  pattern: 'v(\\S+)'",
    valid: true,
  },
  {
    name: "version pattern that is not a regular expression",
    target: "project",
    yaml: "version:\n  from: file\n  file: VERSION\n  pattern: '(unclosed'",
    valid: false,
  },
  { name: "a misspelt project key", target: "project", yaml: "layuot: {}", valid: false },

  // environments/drift.yaml
  {
    name: "a websocket-timeout override",
    target: "drift",
    yaml: "rules:\n  websocket-timeout: { min: 3600, reason: long calls }",
    valid: true,
  },
  {
    name: "an unknown drift rule",
    target: "drift",
    yaml: "rules:\n  no-such-rule: { severity: off, reason: r }",
    valid: false,
  },
  {
    name: "min on a rule that takes none",
    target: "drift",
    yaml: "rules:\n  memory: { min: 5, reason: r }",
    valid: false,
  },
  {
    name: "ignore on a rule that compares no env keys",
    target: "drift",
    yaml: "rules:\n  memory: { ignore: [A], reason: r }",
    valid: false,
  },
  {
    name: "ignore on env-keys",
    target: "drift",
    yaml: "rules:\n  env-keys: { ignore: [PORT], reason: differs by design }",
    valid: true,
  },
  {
    name: "a blank reason",
    target: "drift",
    yaml: "rules:\n  memory: { severity: off, reason: '   ' }",
    valid: false,
  },
  {
    name: "an override for an environment that doesn't exist",
    target: "drift",
    yaml: "rules:\n  memory: { environments: [nowhere], reason: r }",
    valid: false,
    beyondSchema: "cross-file: the environments are the other files in environments/",
  },

  // environments/env.schema.yaml
  {
    name: "the fixture's env schema",
    target: "env-schema",
    yaml: readFileSync(join(ROOT, "test/helpers/env-fixtures.ts"), "utf8").match(
      /SCHEMA_YAML = `([\s\S]*?)`;/,
    )![1]!,
    valid: true,
  },
  {
    name: "a secret with a default",
    target: "env-schema",
    yaml: "variables:\n  TOKEN: { secret: true, default: abc }",
    valid: false,
  },
  {
    name: "a variable named constructor",
    target: "env-schema",
    yaml: "variables:\n  constructor: { type: string }",
    valid: false,
  },
  {
    name: "a variable name with a dash",
    target: "env-schema",
    yaml: "variables:\n  BAD-NAME: { type: string }",
    valid: false,
  },
  {
    name: "min above max",
    target: "env-schema",
    yaml: "variables:\n  N: { type: int, min: 5, max: 1 }",
    valid: false,
    beyondSchema: "min ≤ max compares two values",
  },
];

async function toolAccepts(entry: Case): Promise<{ accepted: boolean; errors: string[] }> {
  const { path } = FILES[entry.target];
  const cwd = await testdir({ ...validEnvProject(), [path]: entry.yaml });
  const run = await runEchogate(["check", "--json"], { cwd });
  const { problems } = run.json<{
    problems?: { severity: string; file: string | null; code: string; message: string }[];
  }>();
  const errors = (problems ?? [])
    .filter((problem) => problem.severity === "error" && problem.file === path)
    .map((problem) => `${problem.code}: ${problem.message}`);
  return { accepted: errors.length === 0, errors };
}

function schemaValidator(target: Target) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, "schemas", FILES[target].schema), "utf8")));
}

describe("the JSON Schemas", () => {
  it("compile under strict ajv (with the standard formats)", () => {
    for (const target of Object.keys(FILES) as Target[])
      expect(() => schemaValidator(target), target).not.toThrow();
  });
});

describe("JSON Schema and echogate check agree on a corpus of configs", () => {
  it(`judge ${CORPUS.length} configs alike, except the rules JSON Schema can't express`, async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(CORPUS.filter((entry) => entry.valid).length).toBeGreaterThanOrEqual(10);
    const validators = new Map(
      (Object.keys(FILES) as Target[]).map((target) => [target, schemaValidator(target)]),
    );
    const disagreements: string[] = [];
    let agreed = 0;
    for (const entry of CORPUS) {
      const tool = await toolAccepts(entry);
      const validate = validators.get(entry.target)!;
      const schemaAccepts = validate(parse(entry.yaml) ?? {}) === true;
      const wantSchema = entry.beyondSchema ? true : entry.valid;
      if (tool.accepted !== entry.valid)
        disagreements.push(
          `${entry.name}: the tool ${tool.accepted ? "accepts" : `refuses (${tool.errors.join("; ")})`}`,
        );
      if (schemaAccepts !== wantSchema)
        disagreements.push(
          `${entry.name}: the schema ${schemaAccepts ? "accepts" : `refuses (${JSON.stringify(validate.errors?.slice(0, 3))})`}`,
        );
      if (tool.accepted === schemaAccepts) agreed += 1;
    }
    expect(disagreements).toEqual([]);
    const beyond = CORPUS.filter((entry) => entry.beyondSchema).length;
    expect(agreed).toBe(CORPUS.length - beyond);
  }, 120_000);
});

describe("echogate check and environments/drift.yaml", () => {
  it("refuses an invalid drift.yaml as a configuration error (exit 2) naming file, line and key", async () => {
    const cwd = await testdir({
      ...validEnvProject(),
      "environments/drift.yaml":
        "rules:\n  memory: { severity: off, reason: r }\n  no-such-rule: { reason: r }\n",
    });
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /error\[drift\.unknown-rule\] environments\/drift\.yaml:3:\d+ \(rules\.no-such-rule\)/,
    );
  });
});
