import { describe, expect, it } from "vitest";
import { COMMAND_GROUPS, codeCacheVariant } from "../../deploy/cli/command-groups.js";
import { commands } from "../../deploy/cli/registry.js";

describe("the code cache variant of a command line", () => {
  it("knows every group word the registry has", () => {
    const groups = new Set(commands.flatMap((c) => (c.name.includes(" ") ? [c.name.split(" ")[0]!] : [])));
    expect([...groups].sort()).toEqual([...COMMAND_GROUPS].sort());
  });

  it("is the command's words, so each command caches the code its own runs compile", () => {
    expect(codeCacheVariant(["check", "--json"])).toBe("check");
    expect(codeCacheVariant(["--json", "deploy", "staging"])).toBe("deploy");
    expect(codeCacheVariant(["preview", "deploy", "--branch", "x"])).toBe("preview_deploy");
    expect(codeCacheVariant(["--help"])).toBe("help");
    expect(codeCacheVariant([])).toBe("help");
  });

  it("never carries what a user typed beyond plain lowercase words into a file name", () => {
    expect(codeCacheVariant(["../../etc"])).toBe("other");
    expect(codeCacheVariant(["Check"])).toBe("other");
    expect(codeCacheVariant(["emulator", "../x"])).toBe("emulator");
  });
});
