import { readFile, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** Optional modules loaded inside try/catch and done without (playwright-core: the optional browser gate). */
const OPTIONAL = new Set(["bufferutil", "utf-8-validate", "supports-color", "playwright-core"]);

interface Metafile {
  outputs: Record<
    string,
    { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }
  >;
}

let externals: string[];
/** The islands' files (`google-core.cjs`, …); every other output is echogate's own code. */
let ISLAND_FILES: Set<string>;
let meta: Metafile;
const outdir = join(tmpdir(), `echogate-dist-${process.pid}`);

beforeAll(async () => {
  const { buildCli, ISLANDS } = (await import(`${root}scripts/build.mjs`)) as {
    buildCli(root: string, outdir: string): Promise<Metafile>;
    ISLANDS: Record<string, unknown>;
  };
  ISLAND_FILES = new Set(Object.keys(ISLANDS).map((island) => `${island}.cjs`));
  meta = await buildCli(root, outdir);
  const names = new Set<string>();
  // `./google-core.cjs`: an island requiring the shared island beside it in dist/, not a package.
  for (const output of Object.values(meta.outputs))
    for (const imported of output.imports)
      if (imported.external && !imported.path.startsWith("./")) names.add(packageName(imported.path));
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

describe("the Google clients in dist/", () => {
  const inputsOf = (test: (output: string) => boolean) =>
    Object.entries(meta.outputs).flatMap(([output, { inputs }]) => (test(output) ? Object.keys(inputs) : []));

  it("are bundled only into the code-cached CommonJS islands, never into the CLI's own code", () => {
    const google = /node_modules\/(google-gax|@google-cloud|google-auth-library|protobufjs)\//;
    // The emulator (run by the daemon) validates requests against the Admin API's descriptors.
    const code = (input: string) => google.test(input) && !input.endsWith("/protos/protos.json");
    const isIsland = (output: string) => ISLAND_FILES.has(basename(output));
    expect(inputsOf((output) => /\.c?js$/.test(output) && !isIsland(output)).filter(code)).toEqual([]);
    const islands = inputsOf(isIsland);
    expect(islands.some((input) => input.includes("@google-cloud/run/build/src/v2/services_client.js"))).toBe(
      true,
    );
    expect(islands.some((input) => input.includes("@google-cloud/secret-manager/"))).toBe(true);
  });

  it("are bundled once: every Google package's code is in exactly one output", () => {
    const google =
      /node_modules\/((?:@google-cloud\/[^/]+)|google-gax|google-auth-library|gaxios|gcp-metadata|gtoken|protobufjs|proto3-json-serializer)\//;
    const outputsOf = new Map<string, Set<string>>();
    for (const [output, { inputs }] of Object.entries(meta.outputs))
      for (const input of Object.keys(inputs)) {
        // The emulator validates requests against Cloud Run's descriptors: data, not the client.
        if (input.endsWith("/protos/protos.json")) continue;
        const name = input.match(google)?.[1];
        if (name) outputsOf.set(name, (outputsOf.get(name) ?? new Set()).add(basename(output)));
      }
    expect(outputsOf.size).toBeGreaterThanOrEqual(8);
    const twice = [...outputsOf]
      .filter(([, outputs]) => outputs.size > 1)
      .map(([name, o]) => `${name}: ${[...o]}`);
    expect(twice).toEqual([]);
    expect([...(outputsOf.get("google-auth-library") ?? [])]).toEqual(["google-core.cjs"]);
  });

  it("use google-gax's REST transport only: no gRPC code is bundled", () => {
    const grpc = inputsOf(() => true).filter((input) =>
      /node_modules\/@grpc\/|google-gax\/build\/src\/grpc\.js/.test(input),
    );
    expect(grpc).toEqual([]);
  });

  it("read from google-gax only names the REST-only module provides", async () => {
    const shim = await readFile(join(root, "scripts/google-gax-rest.cjs"), "utf8");
    const provided = shim
      .match(/module\.exports = \{([^}]*)\}/)?.[1]
      ?.split(",")
      .map((name) => name.trim());
    expect(provided).toContain("fallback");
    const clients = inputsOf((output) => ISLAND_FILES.has(basename(output))).filter((input) =>
      /@google-cloud\/[^/]+\/build\/src\/v\d+\/\w+_client\.js$/.test(input),
    );
    expect(clients.length).toBeGreaterThanOrEqual(3);
    for (const client of new Set(clients)) {
      const source = await readFile(join(root, client), "utf8");
      const read = new Set([...source.matchAll(/google_gax_1\.(\w+)/g)].map((match) => match[1]));
      // Without gaxInstance a client requires google-gax itself and takes `.fallback` from it.
      if (/require\('google-gax'\)/.test(source)) read.add("fallback");
      for (const name of read) expect(provided, `${client} reads google-gax.${name}`).toContain(name);
    }
  });
});
