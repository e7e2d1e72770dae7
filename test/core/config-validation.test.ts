import { describe, expect, it } from "vitest";
import type { CheckProblem } from "../../deploy/cli/api.js";
import { parseEnvSchema } from "../../deploy/envfiles/load-schema.js";
import { loadSmokeSpecFile } from "../../deploy/smoke/load-spec.js";
import {
  environmentYaml,
  lineContaining,
  type ProjectFiles,
  SCHEMA_FILE,
  SCHEMA_YAML,
  validEnvProject,
  withFile,
  yamlPath,
} from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

async function check(files: ProjectFiles): Promise<{ exitCode: number; problems: CheckProblem[] }> {
  const cwd = await testdir(files);
  const run = await runEchogate(["check", "--json"], { cwd });
  return { exitCode: run.exitCode, problems: run.json<{ problems: CheckProblem[] }>().problems };
}

const stagingWith = (edit: (yaml: string) => string) =>
  withFile(yamlPath("staging"), edit(environmentYaml("staging")));

describe("config values that used to be accepted silently", () => {
  it.each(["a/b?c#d", "../../x", "My_Project", "p-"])(
    "project %j is a config error at service.project",
    async (project) => {
      const yaml = environmentYaml("staging").replace("project: echogate-demo", `project: "${project}"`);
      const { exitCode, problems } = await check(withFile(yamlPath("staging"), yaml));
      expect(exitCode).toBe(2);
      expect(problems).toContainEqual(
        expect.objectContaining({
          file: yamlPath("staging"),
          line: lineContaining(yaml, "project:"),
          keyPath: "service.project",
          message: expect.stringContaining("Google Cloud project id"),
        }),
      );
    },
  );

  it("a Google project id outside 6–30 characters is refused for endpoint google", async () => {
    const { exitCode, problems } = await check(
      stagingWith((yaml) => yaml.replace("project: echogate-demo", "project: demo")),
    );
    expect(exitCode).toBe(2);
    expect(problems).toContainEqual(
      expect.objectContaining({ code: "config.project-id", keyPath: "service.project" }),
    );
  });

  it("keeps accepting real ids, domain-scoped ones included", async () => {
    for (const project of ["echogate-demo", "my-project-123456", "example.com:my-project"]) {
      const { exitCode } = await check(
        stagingWith((yaml) => yaml.replace("project: echogate-demo", `project: "${project}"`)),
      );
      expect(exitCode, project).toBe(0);
    }
  });

  it("minInstances above maxInstances is a config error at service.minInstances", async () => {
    const yaml = environmentYaml("staging").replace(
      "  envFile:",
      "  minInstances: 5\n  maxInstances: 1\n  envFile:",
    );
    const { exitCode, problems } = await check(withFile(yamlPath("staging"), yaml));
    expect(exitCode).toBe(2);
    expect(problems).toContainEqual(
      expect.objectContaining({
        code: "config.min-instances",
        file: yamlPath("staging"),
        line: lineContaining(yaml, "minInstances"),
        keyPath: "service.minInstances",
        message: expect.stringContaining("maxInstances (1)"),
      }),
    );
  });

  it("two environments naming the same Cloud Run service or Hosting site is a config error", async () => {
    const sharedService = environmentYaml("staging").replace(
      "name: echogate-chat-staging",
      "name: echogate-chat",
    );
    const service = await check(withFile(yamlPath("staging"), sharedService));
    expect(service.exitCode).toBe(2);
    expect(service.problems).toContainEqual(
      expect.objectContaining({
        code: "config.shared-service",
        keyPath: "service.name",
        line: lineContaining(sharedService, "name: echogate-chat"),
        message: expect.stringContaining("production uses it too"),
      }),
    );
    const sharedSite = environmentYaml("staging").replace(
      "site: echogate-demo-staging",
      "site: echogate-demo",
    );
    const site = await check(withFile(yamlPath("staging"), sharedSite));
    expect(site.exitCode).toBe(2);
    expect(site.problems).toContainEqual(
      expect.objectContaining({ code: "config.shared-site", keyPath: "hosting.site" }),
    );
  });

  it.each(["../fakeroot", "/", "/etc", "web/../../x"])(
    "hosting.publicDir %j outside the project is a config error",
    async (publicDir) => {
      const yaml = environmentYaml("staging").replace(
        "site: echogate-demo-staging\n",
        `site: echogate-demo-staging\n  publicDir: "${publicDir}"\n`,
      );
      const { exitCode, problems } = await check(withFile(yamlPath("staging"), yaml));
      expect(exitCode).toBe(2);
      expect(problems).toContainEqual(
        expect.objectContaining({ keyPath: "hosting.publicDir", message: expect.stringMatching(/project/) }),
      );
    },
  );

  it("envFile leaving the project is a config error", async () => {
    const outside = environmentYaml("staging").replace(
      "envFile: .env.staging",
      "envFile: ../../.env.staging",
    );
    const refused = await check(withFile(yamlPath("staging"), outside));
    expect(refused.exitCode).toBe(2);
    expect(refused.problems).toContainEqual(expect.objectContaining({ keyPath: "service.envFile" }));
  });

  it.each([
    ["cpu", "  envFile:", '  cpu: "lots"\n  envFile:', "service.cpu"],
    ["site", "site: echogate-demo-staging", 'site: "UPPER CASE"', "hosting.site"],
    [
      "channel",
      "site: echogate-demo-staging",
      'site: echogate-demo-staging\n  channel: "../live"',
      "hosting.channel",
    ],
    [
      "origins",
      "site: echogate-demo-staging",
      'site: echogate-demo-staging\n  origins: ["not a url"]',
      "hosting.origins[0]",
    ],
  ])("a nonsense %s is a config error (exit 2) at its key", async (_key, from, to, keyPath) => {
    const yaml = environmentYaml("staging").replace(from, to);
    expect(yaml).not.toBe(environmentYaml("staging"));
    const { exitCode, problems } = await check(withFile(yamlPath("staging"), yaml));
    expect(exitCode).toBe(2);
    expect(problems).toContainEqual(expect.objectContaining({ keyPath, file: yamlPath("staging") }));
  });

  it.each([
    ["min above max", "    min: 0\n", "    min: 10\n    max: 1\n", "variables.ROOM_HISTORY_LIMIT.min"],
    [
      "a secret with a default",
      "    secret: true\n",
      "    secret: true\n    default: hunter2\n",
      "variables.SESSION_SECRET.default",
    ],
  ])("env.schema.yaml with %s is a config error at its key", async (_what, from, to, keyPath) => {
    const schema = SCHEMA_YAML.replace(from, to);
    expect(schema).not.toBe(SCHEMA_YAML);
    const { exitCode, problems } = await check({ ...validEnvProject(), [SCHEMA_FILE]: schema });
    expect(exitCode).toBe(2);
    expect(problems).toContainEqual(expect.objectContaining({ keyPath, file: SCHEMA_FILE }));
    expect(JSON.stringify(problems)).not.toContain("hunter2");
  });

  it("a promotesFrom cycle is a config error at every environment in it", async () => {
    const files = {
      ...validEnvProject(),
      [yamlPath("staging")]: `${environmentYaml("staging")}promotesFrom: production\n`,
    };
    const { exitCode, problems } = await check(files);
    expect(exitCode).toBe(2);
    const cycle = problems.filter((p) => p.code === "config.promotes-from-cycle");
    expect(cycle.map((p) => [p.file, p.keyPath])).toEqual(
      expect.arrayContaining([
        [yamlPath("staging"), "promotesFrom"],
        [yamlPath("production"), "promotesFrom"],
      ]),
    );
    expect(cycle[0]!.message).toMatch(/production → staging → production|staging → production → staging/);
  });

  it.each(["__proto__", "constructor", "prototype"])(
    "a schema variable named %s is a config error naming file, line and key",
    async (name) => {
      const schema = SCHEMA_YAML.replace("variables:\n", `variables:\n  ${name}:\n    type: string\n`);
      const { exitCode, problems } = await check(withFile(SCHEMA_FILE, schema));
      expect(exitCode).toBe(2);
      expect(problems).toContainEqual(
        expect.objectContaining({ file: SCHEMA_FILE, line: 3, keyPath: `variables.${name}` }),
      );
    },
  );

  it("a __proto__ key anywhere in YAML pollutes nothing", () => {
    const schema = parseEnvSchema(
      SCHEMA_FILE,
      `${SCHEMA_YAML.replace("variables:\n", "variables:\n  __proto__:\n    type: string\n    polluted: true\n")}`,
    );
    expect(schema.diagnostics.hasErrors).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it.each([
    ["health", "health:\n  timeoutMs: 3000000000\n"],
    ["echo", "echo:\n  timeoutMs: 2147483648\n"],
  ])(
    "a smoke %s.timeoutMs beyond what a timer can wait is a config error naming the key",
    async (section, yaml) => {
      const dir = await testdir({ "smoke.yaml": yaml });
      await expect(loadSmokeSpecFile(dir, "smoke.yaml")).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(new RegExp(`${section}\\.timeoutMs: .*at most 3600000`)),
        location: { file: "smoke.yaml", line: 2, keyPath: `${section}.timeoutMs` },
      });
    },
  );
});
