import { describe, expect, it } from "vitest";
import { commands, resolveCommand } from "../../deploy/cli/registry.js";
import { runEchogate } from "../helpers/run-cli.js";

const cwd = process.cwd();

describe("echogate CLI framework", () => {
  it("lists every registered command in --help and exits 0", async () => {
    const run = await runEchogate(["--help"], { cwd });
    expect(run.exitCode).toBe(0);
    for (const command of commands) expect(run.stdout).toContain(command.name);
    expect(run.stdout).toContain("Exit codes");
  });

  it("answers an unknown command with exit 2 and a hint", async () => {
    const run = await runEchogate(["deplyo"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Unknown command "deplyo"');
    expect(run.stderr).toContain("echogate --help");
    expect(run.stderr).toContain("Did you mean `echogate deploy`?");
    const far = await runEchogate(["frobnicate"], { cwd });
    expect(far.stderr).not.toContain("Did you mean");
  });

  it("refuses a mistyped or missing subcommand with exit 2 (never a silent 0 in CI)", async () => {
    const typo = await runEchogate(["web", "deplyo", "staging", "--json"], { cwd });
    expect(typo.exitCode).toBe(2);
    expect(typo.json<{ error: { hint: string } }>().error.hint).toContain(
      "Did you mean `echogate web deploy`?",
    );
    const group = await runEchogate(["preview", "lst"], { cwd });
    expect(group.exitCode).toBe(2);
    expect(group.stderr).toContain("echogate preview list");
    const missing = await runEchogate(["preview"], { cwd });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("preview deploy, preview list, preview cleanup");
    expect((await runEchogate(["preview", "--help"], { cwd })).exitCode).toBe(0);
  });

  it("suggests the flag meant by a typo", async () => {
    const run = await runEchogate(["check", "--jsno"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Did you mean --json?");
  });

  it("answers an unknown flag with exit 2, naming it", async () => {
    const run = await runEchogate(["build", "--frobnicate"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--frobnicate");
  });

  it("prints errors as one JSON document with --json", async () => {
    const run = await runEchogate(["build", "--frobnicate", "--json"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { code: "usage" } });
  });

  it("shows a command's own help without loading its handler", async () => {
    const run = await runEchogate(["build", "--help"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("echogate build");
    expect(run.stdout).not.toContain("--fault");
  });

  it("resolves two-word commands before one-word ones", () => {
    const fake = [
      { name: "preview", summary: "", load: async () => ({ run: async () => 0 }) },
      { name: "preview deploy", summary: "", load: async () => ({ run: async () => 0 }) },
    ];
    expect(resolveCommand(["preview", "deploy", "--branch", "x"], fake)).toMatchObject({
      command: { name: "preview deploy" },
      rest: ["--branch", "x"],
    });
    expect(resolveCommand(["preview", "--json"], fake)?.command.name).toBe("preview");
  });
});
