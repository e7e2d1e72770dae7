import { execFileSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchVersion, resolveBuildVersion, versionProblem } from "../../deploy/build/version.js";
import { readSourceText } from "../../deploy/core/read-source-file.js";
import { runShellCommand } from "../../deploy/core/run-shell-command.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// Every project file echogate reads goes through one bounded, non-blocking reader: a hostile file
// is a configuration error naming it, never a hang or an unbounded read.

type Hostile = (project: string, file: string) => Promise<void>;
const hostile: Record<string, Hostile> = {
  directory: (project, file) => mkdir(join(project, file), { recursive: true }).then(() => undefined),
  fifo: async (project, file) => {
    execFileSync("mkfifo", [join(project, file)]);
  },
  "/dev/zero symlink": (project, file) => symlink("/dev/zero", join(project, file)),
  "2 MB file": (project, file) => writeFile(join(project, file), "x".repeat(2 * 1024 * 1024)),
  "symlink out of the project": async (project, file) => {
    const outside = await testdir({ secret: "{}" });
    await symlink(join(outside, "secret"), join(project, file));
  },
};

describe("readSourceText", () => {
  it.each(Object.keys(hostile))("refuses a %s with a configuration error naming the file", async (kind) => {
    const project = await testdir({});
    await hostile[kind]!(project, "package.json");
    const started = performance.now();
    let thrown: unknown;
    try {
      readSourceText(project, "package.json");
    } catch (error) {
      thrown = error;
    }
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(thrown).toMatchObject({ exitCode: 2, location: { file: "package.json" } });
    expect((thrown as Error).message).toContain("package.json");
  });

  it("reads a regular file without its BOM; a missing one is undefined", async () => {
    const project = await testdir({ "package.json": '\uFEFF{"version":"1.0.0"}' });
    expect(readSourceText(project, "package.json")).toBe('{"version":"1.0.0"}');
    expect(readSourceText(project, "nope.json")).toBeUndefined();
  });

  it("drift --source and build exit 2 naming a package.json that is /dev/zero, within 5 s", async () => {
    const cwd = await testdir({ "server.js": "require('http').createServer().listen(process.env.PORT)\n" });
    await symlink("/dev/zero", join(cwd, "package.json"));
    for (const argv of [
      ["drift", "--source", "--json"],
      ["build", "--json"],
    ]) {
      const started = performance.now();
      const run = await runEchogate(argv, { cwd });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(run.exitCode, `${argv.join(" ")}: ${run.stdout}${run.stderr}`).toBe(2);
      expect(run.stdout + run.stderr).toContain("package.json");
    }
  });
});

describe("the version", () => {
  it.each([
    [{ a: 1 }, /not a string/],
    ["", /empty/],
    ["1.0\n2.0", /characters other than/],
    ["1".repeat(100_000), /100000 characters/],
  ])("refuses the package.json version %j", (version, reason) => {
    expect(versionProblem(version)).toMatch(reason);
  });

  it("accepts the versions real projects use", () => {
    for (const version of ["1.4.0", "2.0.0-rc.1+build.5", "2026.12.07", "v3"])
      expect(versionProblem(version)).toBeUndefined();
  });

  it("a package.json whose version is an object is a configuration error at its version", async () => {
    const dir = await testdir({ "package.json": JSON.stringify({ version: { major: 1 } }) });
    await expect(resolveBuildVersion(dir, { from: "package" })).rejects.toMatchObject({
      exitCode: 2,
      location: { file: "package.json", keyPath: "version" },
    });
  });

  it("a catastrophic version.pattern is stopped and refused, not waited for", () => {
    const started = performance.now();
    expect(() => matchVersion(`${"a".repeat(40)}!`, "^(a+)+$")).toThrow(/ran longer than/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a version.command printing 50 MB is refused", async () => {
    const dir = await testdir({ "package.json": "{}" });
    await expect(
      resolveBuildVersion(dir, { from: "command", command: "yes 1.0.0 | head -c 50000000" }),
    ).rejects.toThrow(/more than 64 KB/);
  });
});

describe("runShellCommand", () => {
  it("stops the whole process group at the timeout, children that hold the pipes included", async () => {
    const started = performance.now();
    const result = await runShellCommand("sleep 100 & sleep 100; echo never", {
      cwd: "/",
      env: process.env,
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).toBe("");
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
