import { describe, expect, it } from "vitest";
import { camelName } from "../../deploy/cli/command.js";
import { parseInvocation } from "../../deploy/cli/parse-args.js";
import { commands, resolveCommand } from "../../deploy/cli/registry.js";

const defaults = { cwd: "/p", env: {}, isTTY: false };

function parse(...argv: string[]) {
  const resolved = resolveCommand(argv);
  if (!resolved) throw new Error(`no command in ${argv.join(" ")}`);
  return parseInvocation(resolved.command, resolved.rest, defaults).args;
}

describe("handler arguments", () => {
  it("arrive by camel-cased name, booleans always booleans, repeatable options always lists", () => {
    expect(parse("promote", "production", "--dry-run", "--server-only")).toEqual({
      environment: "production",
      image: undefined,
      dryRun: true,
      serverOnly: true,
      strict: false,
    });
    expect(parse("check")).toEqual({ env: [] });
    expect(parse("check", "--env", "staging", "--env", "production")).toEqual({
      env: ["staging", "production"],
    });
    expect(parse("smoke", "http://127.0.0.1:1", "--expect-version", "1.0.0")).toMatchObject({
      url: "http://127.0.0.1:1",
      expectVersion: "1.0.0",
      expectRevision: undefined,
    });
  });

  it("never gives two declarations one name (a positional and an option, or `dry-run` and `dryRun`)", () => {
    const clashes = commands.flatMap((command) => {
      const names = [
        ...(command.args ?? []).map((arg) => arg.name),
        ...Object.keys(command.options ?? {}),
      ].map(camelName);
      return names.filter((name, i) => names.indexOf(name) !== i).map((name) => `${command.name}: ${name}`);
    });
    expect(clashes).toEqual([]);
  });

  it("camel-cases declared names", () => {
    expect(camelName("dry-run")).toBe("dryRun");
    expect(camelName("expect-version")).toBe("expectVersion");
    expect(camelName("older-than")).toBe("olderThan");
    expect(camelName("env")).toBe("env");
  });
});

describe("defineCommand (checked by `tsc`, which CI runs)", () => {
  it("refuses a handler whose arguments differ from the declared shape", async () => {
    const { defineCommand } = await import("../../deploy/cli/command.js");
    const shape = { options: { "dry-run": { type: "boolean", description: "x" } } } as const;
    const matching = defineCommand({
      name: "x",
      summary: "x",
      ...shape,
      load: async () => ({ run: async (args: { dryRun: boolean }) => (args.dryRun ? 1 : 0) }),
    });
    const mismatched = defineCommand({
      name: "x",
      summary: "x",
      ...shape,
      // @ts-expect-error: the handler reads --dry-run as a string; the declaration says boolean.
      load: async () => ({ run: async (args: { dryRun: string }) => args.dryRun.length }),
    });
    expect([matching.name, mismatched.name]).toEqual(["x", "x"]);
  });
});

describe("--impersonate-service-account", () => {
  const globals = (...argv: string[]) => {
    const resolved = resolveCommand(argv)!;
    return parseInvocation(resolved.command, resolved.rest, defaults).globals;
  };

  it("is a global option of every command, absent unless given", () => {
    expect(globals("status").impersonateServiceAccount).toBeUndefined();
    expect(
      globals("promote", "production", "--impersonate-service-account", "gate@p.iam.gserviceaccount.com")
        .impersonateServiceAccount,
    ).toBe("gate@p.iam.gserviceaccount.com");
  });

  it("refuses an empty value as a usage error", () => {
    expect(() => globals("status", "--impersonate-service-account", "")).toThrow(
      /needs a service account email/,
    );
  });
});
