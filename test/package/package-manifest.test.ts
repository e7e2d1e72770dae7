import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

interface PackedFile {
  path: string;
  size: number;
}

describe("the npm package", () => {
  it("runs no install script of its own (npm lists `prepare` as one): dist/ is built on prepack", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const hook of ["preinstall", "install", "postinstall", "prepare"])
      expect(pkg.scripts, hook).not.toHaveProperty(hook);
    expect(pkg.scripts.prepack).toBe("node scripts/build.mjs");
  });

  it("names its licence, repository, homepage and issue tracker", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.license).toBe("MIT");
    expect(await readFile(join(ROOT, "LICENSE"), "utf8")).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 echogate contributors/,
    );
    expect(pkg.repository).toEqual({ type: "git", url: "git+https://github.com/echogate/echogate.git" });
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/echogate\/echogate/);
    expect(pkg.bugs).toEqual({ url: "https://github.com/echogate/echogate/issues" });
  });

  it("ships the bundle and its licence notices but no source maps", async () => {
    const packed = await execa("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT });
    const [{ files }] = JSON.parse(packed.stdout) as [{ files: PackedFile[] }];
    const paths = files.map((file) => file.path);
    expect(paths).toContain("LICENSE");
    expect(paths).toContain("bin/echogate.js");
    expect(paths).toContain("dist/echogate.js");
    expect(paths).toContain("dist/google-core.cjs");
    expect(paths.some((path) => path.endsWith(".LEGAL.txt"))).toBe(true);
    expect(paths.filter((path) => path.endsWith(".map"))).toEqual([]);
  }, 60_000);
});
