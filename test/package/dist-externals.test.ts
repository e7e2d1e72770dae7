import { readFile, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** Optional modules a bundled library loads inside try/catch and does without. */
const OPTIONAL = new Set(["bufferutil", "utf-8-validate", "supports-color"]);

interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

let externals: string[];
const outdir = join(tmpdir(), `echogate-dist-${process.pid}`);

beforeAll(async () => {
  const { buildCli } = (await import(`${root}scripts/build.mjs`)) as {
    buildCli(root: string, outdir: string): Promise<Metafile>;
  };
  const meta = await buildCli(root, outdir);
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs))
    for (const imported of output.imports) if (imported.external) names.add(packageName(imported.path));
  externals = [...names].filter((name) => !isBuiltin(name)).sort();
}, 60_000);
afterAll(() => rm(outdir, { recursive: true, force: true }));

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function isBuiltin(name: string): boolean {
  return name.startsWith("node:") || builtinModules.includes(name);
}

describe("the published package", () => {
  it("declares every module dist/ loads at run time as a dependency (esbuild for `build`)", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    const required = externals.filter((name) => !OPTIONAL.has(name));
    expect(required).toContain("esbuild");
    for (const name of required)
      expect(pkg.dependencies, `${name} is loaded by dist/`).toHaveProperty([name]);
  });

  it("bundles every pure-JS dependency, so a host's npm overrides can't replace one", () => {
    const required = externals.filter((name) => !OPTIONAL.has(name));
    expect(required).toEqual(["esbuild"]);
  });

  it("keeps only what must stay external as runtime dependencies", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(["esbuild"]);
  });
});
