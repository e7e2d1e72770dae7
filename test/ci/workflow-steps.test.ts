// Journey: the shipped workflows' steps run one by one on the emulator.
import { chmod, cp, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { CloudRunAdapter } from "../../deploy/platform/cloudrun/adapter.js";
import { adapterFor, startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { type FakeRegistry, startFakeRegistry } from "../helpers/fake-registry.js";
import { createProjectSites } from "../helpers/hosting-sites.js";
import { makeImage } from "../helpers/images.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// The shipped workflows' own `run:` steps, in order, as a runner would run them (bash -eo pipefail,
// the step's env with its `${{ … }}` values substituted): staging.yml's job, then production.yml's,
// in a copy of this repository. Only the runner's setup is swapped: `uses:` steps (checkout,
// setup-node, Google auth) and `npm ci` are what the copy already is, steps behind `if:` (the PR
// comment through gh) are left out, `npx echogate` is this
// checkout's CLI, the registry is a fake on loopback and both environments run on the emulator.

const ROOT = resolve(import.meta.dirname, "../..");
const COPIED = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "Dockerfile.minimal",
  "cloudbuild.yaml",
  "environments",
  "server",
  "web",
];

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  "working-directory"?: string;
}

interface ActionInput {
  default?: string;
}

/** `${{ expr }}` replaced from `values` (an unknown expression is an error: the test lacks a value). */
function substitute(text: string, values: Record<string, string>, where: string): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_match, expression: string) => {
    const substituted = values[expression];
    if (substituted === undefined) throw new Error(`${where}: no test value for \${{ ${expression} }}`);
    return substituted;
  });
}

const substituteAll = (
  map: Record<string, string> | undefined,
  values: Record<string, string>,
  where: string,
) =>
  Object.fromEntries(
    Object.entries(map ?? {}).map(([key, value]) => [key, substitute(String(value), values, where)]),
  );

/**
 * The job's steps that always run: shell steps, and `uses: ./` (this repository's action.yml),
 * run as the runner runs a composite action: its own step, `inputs.*` from the step's `with:`.
 */
async function jobSteps(workflow: string, job: string): Promise<Step[]> {
  const doc = parse(await readFile(join(ROOT, ".github/workflows", workflow), "utf8")) as {
    jobs: Record<string, { steps: Step[] }>;
  };
  return doc.jobs[job]!.steps.filter(
    (step) => (step.run || step.uses === "./") && !step.if && step.run?.trim() !== "npm ci",
  );
}

/** A step as bash runs it, its `${{ … }}` substituted now (earlier steps' outputs included). */
async function resolveStep(step: Step, values: Record<string, string>, where: string): Promise<Step> {
  if (step.uses !== "./") return { ...step, env: substituteAll(step.env, values, where) };
  const action = parse(await readFile(join(ROOT, "action.yml"), "utf8")) as {
    inputs: Record<string, ActionInput>;
    runs: { using: string; steps: Step[] };
  };
  expect(action.runs.using).toBe("composite");
  const given = substituteAll(step.with, values, where);
  for (const name of Object.keys(given))
    expect(Object.keys(action.inputs), `${where}: input ${name}`).toContain(name);
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [
      `inputs.${name}`,
      given[name] ?? input.default ?? "",
    ]),
  );
  const [inner] = action.runs.steps;
  return {
    ...step,
    run: inner!.run!,
    // The action's files are this checkout's (the project is a copy of it without scripts/).
    env: { ...substituteAll(inner!.env, inputs, "action.yml"), GITHUB_ACTION_PATH: ROOT },
    "working-directory": substitute(inner!["working-directory"] ?? ".", inputs, "action.yml"),
  };
}

/** `key=value` and `key<<DELIMITER … DELIMITER` lines, as the runner reads $GITHUB_OUTPUT. */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const heredoc = line.match(/^([\w-]+)<<(.+)$/);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("="))
      outputs[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return outputs;
}

let project: string;
let registry: FakeRegistry;
let emu: TestEmulator;
let adapter: CloudRunAdapter;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  registry = await startFakeRegistry();
  registry.seedBase("library/node", "20-slim");
  project = await testdir({});
  for (const path of COPIED) await cp(join(ROOT, path), join(project, path), { recursive: true });
  await writeFile(
    join(project, "environments/echogate.yaml"),
    `build:\n  baseImage: ${registry.host}/library/node:20-slim\n`,
  );
  await symlink(join(ROOT, "node_modules"), join(project, "node_modules"));
  await execa("git", ["init", "-q"], { cwd: project });
  await execa("git", ["add", "-A"], { cwd: project });
  await execa("git", ["-c", "user.name=ci", "-c", "user.email=ci@ci", "commit", "-qm", "main"], {
    cwd: project,
  });
  await createProjectSites(project);

  // `npx echogate …` runs this checkout's CLI; any other npx call fails the step.
  const bin = join(project, ".runner-bin");
  await mkdir(bin);
  await writeFile(
    join(bin, "npx"),
    `#!/bin/sh\nif [ "$1" = echogate ]; then shift; exec "${process.execPath}" "${ROOT}/bin/echogate.js" "$@"; fi\necho "unexpected npx $*" >&2\nexit 127\n`,
  );
  await chmod(join(bin, "npx"), 0o755);
  emu = await startTestEmulator(project);
  adapter = adapterFor(emu);
  env = {
    ...process.env,
    ...emu.env,
    PATH: `${bin}:${process.env.PATH}`,
    NO_COLOR: "1",
    GITHUB_STEP_SUMMARY: join(project, "step-summary.md"),
  };
  // The previous release: production already serves what passed staging before this merge.
  const previous = await makeImage(project, { version: "0.0.9+0000000" });
  for (const argv of [
    ["deploy", "staging", "--image", previous.digest],
    ["promote", "production", "--server-only"],
  ]) {
    const run = await runEchogate(argv, { cwd: project, env: emu.env });
    expect(run.exitCode, run.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await adapter?.close();
  await emu?.close();
  await registry?.close();
});

const VALUES: Record<string, string> = {
  "vars.ECHOGATE_IMAGE_REPOSITORY": "", // set in beforeAll: the fake registry's address
  // A name git accepts (no space) that a shell would run if it were interpolated into a script.
  "github.head_ref": "feature/a$(touch${IFS}pwned)",
};

/** Runs the job's steps in order (steps behind an `if:`, the PR comment, are left out); returns the outputs by step id. */
async function runJob(
  workflow: string,
  job: string,
): Promise<{ ran: string[]; outputs: Record<string, Record<string, string>> }> {
  const ran: string[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  const values: Record<string, string> = {
    ...VALUES,
    "vars.ECHOGATE_IMAGE_REPOSITORY": `${registry.host}/echogate-demo/echogate/server`,
  };
  for (const [index, declared] of (await jobSteps(workflow, job)).entries()) {
    const where = `${workflow} step "${declared.name ?? declared.run ?? declared.uses}"`;
    const step = await resolveStep(declared, values, where);
    const outputFile = join(project, `.runner-output-${workflow}-${index}`);
    await writeFile(outputFile, "");
    const result = await execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
      cwd: join(project, step["working-directory"] ?? "."),
      env: { ...env, ...step.env, GITHUB_OUTPUT: outputFile },
      reject: false,
    });
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, "utf8").catch(() => "");
    expect(result.exitCode, `${where}:\n${result.stderr}\n${summary}`).toBe(0);
    if (declared.id) {
      const produced = parseOutputFile(await readFile(outputFile, "utf8"));
      outputs[declared.id] = produced;
      for (const [key, value] of Object.entries(produced))
        values[`steps.${declared.id}.outputs.${key}`] = value;
    }
    ran.push(declared.name ?? declared.run!);
  }
  return { ran, outputs };
}

describe("staging.yml then production.yml, step by step on the emulator", () => {
  it("builds once, pushes, deploys staging by digest, and production gets staging's digest", async () => {
    const { ran: staging, outputs } = await runJob("staging.yml", "staging");
    expect(staging).toContain("Build once and push the image");
    expect(staging).toContain("Deploy and gate the server, by digest");
    const built = JSON.parse(await readFile(join(project, "build.json"), "utf8")) as {
      imageRef: string;
      digest: string;
    };
    expect(built.imageRef).toBe(`${registry.host}/echogate-demo/echogate/server@${built.digest}`);
    expect(registry.manifests.has(`echogate-demo/echogate/server@${built.digest}`)).toBe(true);
    const stagingRevision = await servingImage("echogate-chat-staging");
    expect(stagingRevision).toBe(built.imageRef);
    // The action's outputs: what was deployed, where, and that the gate passed.
    expect(outputs.build?.image).toBe(built.imageRef);
    expect(outputs.deploy).toMatchObject({ ok: "true", gate: "passed", digest: built.digest });
    expect(outputs.deploy?.revision).toMatch(/^echogate-chat-staging-/);
    expect(outputs.deploy?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(JSON.parse(outputs.deploy!.json!)).toMatchObject({ ok: true, schemaVersion: 1 });
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, "utf8");
    expect(summary).toContain("### ✅ `echogate deploy staging --image");
    expect(summary).toContain(`| revision | \`${outputs.deploy?.revision}\` |`);

    const manifestsBefore = registry.manifests.size;
    const production = await runJob("production.yml", "production");
    expect(production.outputs.promote).toMatchObject({ ok: "true", gate: "passed", digest: built.digest });
    expect(await servingImage("echogate-chat-production")).toBe(built.imageRef);
    // Production did not build or push anything of its own.
    expect(registry.manifests.size).toBe(manifestsBefore);
  }, 300_000);
});

describe("preview.yml, step by step on the emulator", () => {
  it("builds once, pushes, and deploys the branch's preview from the pushed digest", async () => {
    const { ran } = await runJob("preview.yml", "preview");
    expect(ran).toContain("Build once and push the image");
    const built = JSON.parse(await readFile(join(project, "build.json"), "utf8")) as { imageRef: string };
    const preview = JSON.parse(await readFile(join(project, "preview.json"), "utf8")) as { service: string };
    expect(preview.service).toMatch(/^echogate-chat-preview-/);
    expect(await servingImage(preview.service)).toBe(built.imageRef);
    expect(await readFile(join(project, "preview-comment.md"), "utf8")).toContain(preview.service);
    // The branch name reached the script as data, never as code.
    await expect(readFile(join(project, "pwned"))).rejects.toThrow();
  }, 300_000);
});

async function servingImage(service: string): Promise<string | undefined> {
  const loaded = await adapter.getService(service);
  const serving = loaded?.snapshot.traffic.find((target) => target.percent === 100)?.revision;
  return serving ? (await adapter.getRevision(service, serving))?.image : undefined;
}
