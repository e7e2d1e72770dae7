import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { environmentYaml, validEnvProject, yamlPath } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// Every file echogate reads, replaced by something hostile: the command that reads it exits 2
// naming the file, within 5 s, instead of hanging, reading without end or following it outside.

const HUGE_BYTES = 40 * 1024 * 1024;

/** Makes `path` hostile; `original` is what it held (a symlink out keeps it, so only the link is wrong). */
type Make = (path: string, original: Buffer) => Promise<void>;
const kinds: Record<string, Make> = {
  directory: (path) => mkdir(path, { recursive: true }).then(() => undefined),
  FIFO: async (path) => {
    execFileSync("mkfifo", [path]);
  },
  "/dev/zero symlink": (path) => symlink("/dev/zero", path),
  "40 MB file": (path) => writeFile(path, Buffer.alloc(HUGE_BYTES, 0x61)),
  "symlink out of the project": async (path, original) => {
    const outside = await testdir({ "elsewhere.txt": original });
    await symlink(join(outside, "elsewhere.txt"), path);
  },
};

/** The file, and the command that reads it. */
const files: [file: string, argv: string[]][] = [
  [yamlPath("staging"), ["check", "--json"]],
  ["environments/env.schema.yaml", ["check", "--json"]],
  ["environments/.env.staging", ["check", "--json"]],
  ["environments/echogate.yaml", ["check", "--json"]],
  ["environments/smoke.yaml", ["check", "--json"]],
  ["environments/drift.yaml", ["drift", "--source", "--json"]],
  ["package.json", ["drift", "--source", "--json"]],
  ["Dockerfile", ["drift", "--source", "--json"]],
  ["cloudbuild.yaml", ["drift", "--source", "--json"]],
];

async function project(): Promise<string> {
  return testdir({
    ...validEnvProject(),
    "environments/echogate.yaml": "version:\n  from: package\n",
    "environments/smoke.yaml": "echo:\n  timeoutMs: 1500\n",
    "environments/drift.yaml": "rules: {}\n",
    "package.json": JSON.stringify({ name: "app", version: "1.0.0", scripts: { dev: "node server.js" } }),
    Dockerfile: 'FROM node:20-slim\nCOPY server.js .\nCMD ["node", "server.js"]\n',
    "cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, x, .]\n",
    "server.js": "require('node:http').createServer().listen(process.env.PORT);\n",
  });
}

describe("hostile files", () => {
  it("the project they are put into passes every command that reads them", async () => {
    const cwd = await project();
    for (const argv of new Set(files.map(([, argv]) => argv.join(" ")))) {
      const run = await runEchogate(argv.split(" "), { cwd });
      expect(run.exitCode, `${argv}: ${run.stdout}${run.stderr}`).toBe(0);
    }
  });

  it.each(Object.keys(kinds))(
    "each file as a %s: exit 2 naming it, within 5 s",
    async (kind) => {
      const failures: string[] = [];
      for (const [file, argv] of files) {
        const cwd = await project();
        const original = await readFile(join(cwd, file));
        await rm(join(cwd, file), { force: true });
        await mkdir(dirname(join(cwd, file)), { recursive: true });
        await kinds[kind]!(join(cwd, file), original);
        const started = performance.now();
        const run = await runEchogate(argv, { cwd });
        const ms = performance.now() - started;
        const output = run.stdout + run.stderr;
        if (run.exitCode !== 2 || !output.includes(file) || ms > 5_000)
          failures.push(
            `${file} (${argv.join(" ")}): exit ${run.exitCode}, ${Math.round(ms)} ms, ${output.slice(0, 300)}`,
          );
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );

  it("a BOM at the start of a file is read as the file (not an error)", async () => {
    const cwd = await project();
    await writeFile(join(cwd, yamlPath("staging")), `\uFEFF${environmentYaml("staging")}`);
    await writeFile(
      join(cwd, "package.json"),
      `\uFEFF${JSON.stringify({ name: "app", version: "1.0.0", scripts: { dev: "node server.js" } })}`,
    );
    const check = await runEchogate(["check"], { cwd });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const drift = await runEchogate(["drift", "--source"], { cwd });
    expect(drift.exitCode, drift.stdout + drift.stderr).not.toBe(2);
  });
});
