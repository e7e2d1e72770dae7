import { describe, expect, it } from "vitest";
import { loadEnvironment, loadEnvironments } from "../../deploy/config/load-environments.js";
import { Redactor } from "../../deploy/core/redact.js";
import { Project } from "../../deploy/project/project.js";
import { testdir } from "../helpers/testdir.js";

const service = (name: string) =>
  `service:\n  project: p\n  regions: [us-central1]\n  name: ${name}\n  envFile: .env.${name}\n`;

describe("loadEnvironments", () => {
  it("reports every problem of every file at once, with file, line and key path", async () => {
    const dir = await testdir({
      "environments/staging.yaml": `kind: staging\n${service("staging")}  colour: blue\n`,
      "environments/production.yaml": `kind: prod\n${service("production")}  port: "8080"\n`,
    });
    const { diagnostics, environments } = await loadEnvironments(dir);
    expect(environments).toHaveLength(0);
    const byCode = diagnostics.errors.map((d) => [d.code, d.file, d.line, d.keyPath]);
    expect(byCode).toContainEqual(["config.unknown-key", "environments/staging.yaml", 7, "service.colour"]);
    expect(byCode).toContainEqual(["config.invalid-value", "environments/production.yaml", 1, "kind"]);
    expect(byCode).toContainEqual(["config.invalid-type", "environments/production.yaml", 7, "service.port"]);
  });

  it("names a missing required key and points at its parent", async () => {
    const dir = await testdir({
      "environments/staging.yaml":
        "kind: staging\nservice:\n  project: p\n  regions: [us-central1]\n  envFile: .env.staging\n",
    });
    const { diagnostics } = await loadEnvironments(dir);
    expect(diagnostics.errors[0]).toMatchObject({
      code: "config.missing-key",
      file: "environments/staging.yaml",
      line: 2,
      keyPath: "service",
      message: 'Missing required key "name" in service (expected string).',
    });
  });

  it("names a missing enum key (kind) as missing, listing its values", async () => {
    const dir = await testdir({ "environments/staging.yaml": service("staging") });
    const { diagnostics } = await loadEnvironments(dir);
    expect(diagnostics.errors[0]).toMatchObject({
      code: "config.missing-key",
      message: expect.stringContaining(
        'Missing required key "kind" (expected one of local, preview, staging, production',
      ),
    });
  });

  it("places a syntax error found at the end of the file on the last line written", async () => {
    const dir = await testdir({
      "environments/staging.yaml": "kind: staging\nservice:\n  project: p\n  name: [x\n\n",
    });
    const { diagnostics } = await loadEnvironments(dir);
    expect(diagnostics.errors[0]).toMatchObject({ file: "environments/staging.yaml", line: 4 });
    expect(diagnostics.errors[0]!.code).toMatch(/^yaml\./);
  });

  it("checks promotesFrom against the environments that exist, without cascading from a broken one", async () => {
    const dir = await testdir({
      "environments/staging.yaml": `kind: staging\n${service("staging")}  bogus: 1\n`,
      "environments/production.yaml": `kind: production\npromotesFrom: staging\n${service("production")}`,
      "environments/preview.yaml": `kind: preview\npromotesFrom: qa\n${service("preview")}`,
    });
    const { diagnostics } = await loadEnvironments(dir);
    const references = diagnostics.errors.filter((d) => d.code === "config.promotes-from");
    expect(references).toHaveLength(1);
    expect(references[0]).toMatchObject({
      file: "environments/preview.yaml",
      line: 2,
      keyPath: "promotesFrom",
    });
  });

  it("throws a config error for an unknown environment, listing the known ones", async () => {
    const dir = await testdir({ "environments/staging.yaml": `kind: staging\n${service("staging")}` });
    await expect(loadEnvironment(dir, "prod")).rejects.toMatchObject({
      exitCode: 2,
      code: "config.unknown-environment",
      hint: expect.stringContaining("staging"),
    });
    await expect(loadEnvironment(dir, "staging")).resolves.toMatchObject({ name: "staging" });
  });

  it("gives environments/smoke.yaml to environments without a smoke section; the declared view never reads it", async () => {
    const dir = await testdir({
      "environments/staging.yaml": `kind: staging\n${service("staging")}`,
      "environments/production.yaml": `kind: production\n${service("production")}smoke:\n  echo:\n    clients: 3\n    timeoutMs: 900\n`,
      "environments/smoke.yaml": "echo:\n  clients: 3\n  timeoutMs: 1500\n",
    });
    const project = new Project(dir, new Redactor());
    const { environments, diagnostics } = await project.environments();
    expect(diagnostics.items).toEqual([]);
    const timeouts = environments.map((e) => [e.name, e.config.smoke?.echo.timeoutMs]);
    expect(timeouts).toEqual([
      ["production", 900],
      ["staging", 1500],
    ]);

    const broken = await testdir({
      "environments/staging.yaml": `kind: staging\n${service("staging")}`,
      "environments/smoke.yaml": "echo:\n  timeoutMs: [1500\n",
    });
    const brokenProject = new Project(broken, new Redactor());
    const declared = await brokenProject.declaredEnvironments();
    expect(declared.diagnostics.items).toEqual([]);
    expect(declared.environments.map((e) => e.name)).toEqual(["staging"]);
    expect((await brokenProject.environments()).diagnostics.errors).toEqual([
      expect.objectContaining({ file: "environments/smoke.yaml", line: 2 }),
    ]);
  });
});
