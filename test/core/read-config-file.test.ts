import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { readConfigFile } from "../../deploy/core/read-config-file.js";
import { Redactor } from "../../deploy/core/redact.js";
import { collectEnvSchema } from "../../deploy/drift/collect/declared.js";
import { loadDriftPolicy } from "../../deploy/drift/policy-file.js";
import { Project } from "../../deploy/project/project.js";
import { loadSmokeSpecFile } from "../../deploy/smoke/load-spec.js";
import { envFilePath, SCHEMA_FILE, validEnvProject, yamlPath } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fifos: string[] = [];

/** A named pipe nobody writes to: reading it in blocking mode waits forever. */
function mkfifo(path: string): void {
  execFileSync("mkfifo", [path]);
  fifos.push(path);
}

// A reader stuck in open() on a FIFO (the bug) is released by opening the write end and closing it.
afterEach(() => {
  for (const path of fifos.splice(0)) {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: no reader is waiting, nothing to release.
    }
  }
});

/** Fails instead of hanging when `promise` blocks. */
function within<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms)),
  ]);
}

async function replaceWith(path: string, kind: "directory" | "dev-zero" | "fifo"): Promise<void> {
  await rm(path, { force: true });
  if (kind === "directory") await mkdir(path);
  else if (kind === "dev-zero") await symlink("/dev/zero", path);
  else mkfifo(path);
}

describe("readConfigFile", () => {
  it("reads a regular file, and one behind a symlink", async () => {
    const dir = await testdir({ "a.yaml": "kind: staging\n" });
    await symlink(join(dir, "a.yaml"), join(dir, "b.yaml"));
    for (const name of ["a.yaml", "b.yaml"]) {
      const read = await readConfigFile(join(dir, name), 100);
      expect(read.ok && read.bytes.toString("utf8")).toBe("kind: staging\n");
    }
  });

  it.each([
    ["directory", /a directory/],
    ["dev-zero", /a device/],
    ["fifo", /a named pipe/],
  ] as const)("refuses a %s as not a regular file, without blocking", async (kind, what) => {
    const dir = await testdir({});
    await replaceWith(join(dir, "x.yaml"), kind);
    const read = await within(readConfigFile(join(dir, "x.yaml"), 100));
    expect(read).toMatchObject({ ok: false, reason: "not-a-file", detail: expect.stringMatching(what) });
  });

  it("refuses a file over the bound, and says when it is missing", async () => {
    const dir = await testdir({ "big.yaml": "x".repeat(101), "edge.yaml": "x".repeat(100) });
    expect(await readConfigFile(join(dir, "big.yaml"), 100)).toMatchObject({
      ok: false,
      reason: "too-large",
    });
    expect((await readConfigFile(join(dir, "edge.yaml"), 100)).ok).toBe(true);
    expect(await readConfigFile(join(dir, "nope.yaml"), 100)).toMatchObject({ ok: false, reason: "missing" });
  });

  // /proc files say they are empty and then give their text: like a file that grew after fstat.
  it.runIf(process.platform === "linux")(
    "reads past the size the file reported, still up to the bound only",
    async () => {
      const whole = await readConfigFile("/proc/self/status", 1024 * 1024);
      expect(whole.ok && whole.bytes.toString("utf8")).toMatch(/^Name:.*\n[\s\S]*\nPid:\s+\d+\n/);
      const length = whole.ok ? whole.bytes.length : 0;
      expect(length).toBeGreaterThan(100);
      expect(await readConfigFile("/proc/self/status", 100)).toMatchObject({
        ok: false,
        reason: "too-large",
        size: 101,
      });
    },
  );
});

describe("config files that are not regular files", () => {
  it.each(["directory", "dev-zero", "fifo"] as const)(
    "environments/staging.yaml as a %s: check names it, exit 2",
    async (kind) => {
      const cwd = await testdir(validEnvProject());
      await replaceWith(join(cwd, yamlPath("staging")), kind);
      const run = await within(runEchogate(["check", "--json"], { cwd }), 10_000);
      expect(run.exitCode).toBe(2);
      const problems = (run.json() as { problems: { code: string; file: string; message: string }[] })
        .problems;
      expect(problems).toContainEqual(
        expect.objectContaining({
          code: "yaml.not-a-file",
          file: yamlPath("staging"),
          message: expect.stringContaining("not a regular file"),
        }),
      );
    },
  );

  it.each(["directory", "dev-zero", "fifo"] as const)(
    "the env file as a %s: check names it, exit 2",
    async (kind) => {
      const cwd = await testdir(validEnvProject());
      await replaceWith(join(cwd, envFilePath("staging")), kind);
      const run = await within(runEchogate(["check"], { cwd }), 10_000);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`${envFilePath("staging")}: Can't read ${envFilePath("staging")}`);
      expect(run.stderr).toContain("not a regular file");
    },
  );

  it.each(["directory", "dev-zero", "fifo"] as const)(
    "the env schema as a %s: check names it, exit 2",
    async (kind) => {
      const cwd = await testdir(validEnvProject());
      await replaceWith(join(cwd, SCHEMA_FILE), kind);
      const run = await within(runEchogate(["check"], { cwd }), 10_000);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`${SCHEMA_FILE}: Can't read ${SCHEMA_FILE}`);
      expect(run.stderr).toContain("not a regular file");
    },
  );

  it("drift.yaml and the env schema as FIFOs: drift's readers refuse them without blocking", async () => {
    const cwd = await testdir(validEnvProject());
    mkfifo(join(cwd, "environments/drift.yaml"));
    const policy = await within(loadDriftPolicy(cwd)).catch((error: Error) => error);
    expect(policy).not.toBeInstanceOf(Error);
    expect((policy as Awaited<ReturnType<typeof loadDriftPolicy>>).diagnostics.errors[0]).toMatchObject({
      code: "yaml.not-a-file",
      file: "environments/drift.yaml",
    });
    await replaceWith(join(cwd, SCHEMA_FILE), "fifo");
    await expect(within(collectEnvSchema(new Project(cwd, new Redactor())))).rejects.toThrow(
      /environments\/env\.schema\.yaml.*not a regular file/,
    );
  });

  it.each(["echogate.yaml", "smoke.yaml"])(
    "environments/%s as a FIFO: check names it, exit 2",
    async (name) => {
      const cwd = await testdir(validEnvProject());
      await replaceWith(join(cwd, "environments", name), "fifo");
      const run = await within(runEchogate(["check"], { cwd }), 10_000);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`environments/${name}: Can't read environments/${name}`);
    },
  );

  it("a smoke spec that is a FIFO or /dev/zero is a config error naming it", async () => {
    const dir = await testdir({});
    for (const kind of ["fifo", "dev-zero"] as const) {
      await replaceWith(join(dir, "smoke.yaml"), kind);
      await expect(within(loadSmokeSpecFile(dir, "smoke.yaml"))).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/smoke\.yaml.*not a regular file/),
      });
    }
  });

  it("a real `echogate check` process on a FIFO config exits 2 at once instead of hanging", async () => {
    const cwd = await testdir(validEnvProject());
    await replaceWith(join(cwd, yamlPath("staging")), "fifo");
    const child = spawn(process.execPath, [`${repoRoot}bin/echogate.js`, "check", "--cwd", cwd], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    clearTimeout(killer);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(yamlPath("staging"));
  }, 20_000);
});
