#!/usr/bin/env node
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// Bundles the CLI into dist/ with esbuild: the CLI as one code-cached CommonJS file, the
// programmatic API and the emulator daemon as ES modules, big dependencies as islands.
import { build } from "esbuild";
import { pruneRunProtos } from "./prune-run-protos.mjs";

/**
 * Everything pure-JS is bundled into dist/, so a host project's npm `overrides` or hoisting can't
 * swap a module under echogate. What stays external must: esbuild ships a native binary it finds
 * by path (a runtime dependency), ws's optional native speed-ups are loaded inside try/catch, and
 * playwright-core (the browser gate's driver, 14 MB that loads its own files) is the project's to
 * install, loaded only when an environment asks for the browser gate.
 */
export const EXTERNAL = ["esbuild", "bufferutil", "utf-8-validate", "playwright-core"];

/** The module the bundled Google clients get for `google-gax`: its REST transport only. */
export const GOOGLE_GAX_REST = "scripts/google-gax-rest.cjs";

/**
 * Resolves `require("google-gax")` (exactly; its subpaths stay as they are) to GOOGLE_GAX_REST, so
 * the gRPC transport echogate never uses (fallback: true everywhere) is neither bundled nor parsed.
 * GOOGLE_GAX_REST may read google-gax's own files that its package `exports` doesn't list.
 */
function googleGaxRestOnly(root) {
  const shim = resolve(root, GOOGLE_GAX_REST);
  const gaxSource = dirname(createRequire(join(root, "package.json")).resolve("google-gax"));
  return {
    name: "google-gax-rest-only",
    setup(build) {
      build.onResolve({ filter: /^google-gax$/ }, () => ({ path: shim }));
      build.onResolve({ filter: /^google-gax\/build\/src\/[\w/]+\.js$/ }, (args) =>
        args.importer === shim
          ? { path: join(gaxSource, args.path.slice("google-gax/build/src/".length)) }
          : undefined,
      );
    },
  };
}

/**
 * Bundles a JSON file as `JSON.parse("…")` instead of an object literal: V8 scans a string far
 * faster than it parses a literal, and the Google clients' proto descriptors are ~1 MB of JSON.
 */
const RUN_PROTOS = /[\\/]@google-cloud[\\/]run[\\/]build[\\/]protos[\\/]protos\.json$/;

const jsonAsString = {
  name: "json-as-string",
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      // Parsed here first, so invalid JSON still fails the build, and minified. Cloud Run's
      // descriptors keep only the services echogate calls (scripts/prune-run-protos.mjs).
      const parsed = JSON.parse(text);
      const json = JSON.stringify(
        RUN_PROTOS.test(args.path) ? pruneRunProtos(parsed, build.initialOptions.absWorkingDir) : parsed,
      );
      return { contents: `module.exports = JSON.parse(${JSON.stringify(json)});`, loader: "js" };
    });
  },
};

/**
 * Dependencies bundled apart, as CommonJS "islands" the CLI loads through V8's code cache
 * (deploy/core/code-cache.ts): the Google clients are most of what `status` or `deploy` parse and
 * compile (and run once to build a client), every time. Each island lists, per import specifier
 * used in deploy/, the names it provides; an import of any other name fails the build. Secret
 * Manager is an island of its own: only deploy and preview need its 1.4 MB of descriptors.
 * `google-core` holds what the client islands share (google-gax's REST transport, the auth
 * library and their dependencies), bundled once: the other islands require it (SHARED_ISLAND).
 */
export const ISLANDS = {
  "google-core": {
    "google-auth-library": ["Compute", "GoogleAuth", "gcpMetadata", "Impersonated", "PassThroughClient"],
  },
  "google-cloud-run": {
    "@google-cloud/run/build/src/v2/services_client.js": ["ServicesClient"],
    "@google-cloud/run/build/src/v2/revisions_client.js": ["RevisionsClient"],
  },
  "google-secret-manager": {
    "@google-cloud/secret-manager": ["SecretManagerServiceClient"],
  },
  // What reading and validating config loads for nearly every command but --help: the YAML reader
  // and zod, compiled from the cache. Only the names listed are bundled (PICKED_ISLANDS).
  "config-libs": {
    yaml: ["isMap", "isPair", "isScalar", "isSeq", "LineCounter", "parseDocument", "visit"],
    zod: [
      "NEVER",
      "ZodType",
      "array",
      "boolean",
      "discriminatedUnion",
      "enum",
      "literal",
      "looseObject",
      "number",
      "object",
      "record",
      "strictObject",
      "string",
      "union",
      "unknown",
      "url",
    ],
  },
};

/**
 * Islands bundled from the names they list (imported by name, so the rest of each package is
 * shaken out: zod's locales, its other APIs), instead of whole modules.
 */
const PICKED_ISLANDS = new Set(["config-libs"]);

/** The island every other island takes these modules from (one copy, one instance of each). */
export const SHARED_ISLAND = {
  name: "google-core",
  modules: ["google-gax", "google-gax/build/src/protobuf", "google-auth-library"],
};

const CODE_CACHE_MODULE = "deploy/core/code-cache.ts";
const EMULATOR_DAEMON = "packages/emulator/src/daemon.ts";

/** The package's `import` entry, and the one file its types come from. */
export const API_MODULE = "deploy/cli/api.ts";

/**
 * Writes `<outdir>/index.d.ts` from API_MODULE alone (tsc's transpileDeclaration: its exported
 * signatures, no type-checking), so the types a consumer compiles against are the public surface
 * only. The file must stand alone: an import left in it would need echogate's internals (or zod)
 * in the consumer's node_modules, so one fails the build. Needs TypeScript (a devDependency):
 * without it (an installed package rebuilding), the types are left as they are.
 */
async function writeApiTypes(root, outdir) {
  let ts;
  try {
    ts = (await import("typescript")).default;
  } catch {
    return;
  }
  const source = await readFile(resolve(root, API_MODULE), "utf8");
  const { outputText, diagnostics } = ts.transpileDeclaration(source, {
    fileName: API_MODULE,
    compilerOptions: { strict: true, isolatedDeclarations: true, declaration: true },
  });
  if (diagnostics?.length)
    throw new Error(
      `${API_MODULE}: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`,
    );
  const types = outputText.replace(/^import [^;]*;\n/gm, (line) => {
    throw new Error(
      `${API_MODULE}: its declarations would keep an import (${line.trim()}); give the public types in the file itself`,
    );
  });
  writeFileSync(join(resolve(root, outdir), "index.d.ts"), types);
}

/** In the CLI bundle, an island's specifiers become modules reading its exports from `<island>.cjs`. */
function islandImports(root) {
  const islandOf = new Map(
    Object.entries(ISLANDS).flatMap(([island, specifiers]) =>
      Object.keys(specifiers).map((specifier) => [specifier, island]),
    ),
  );
  return {
    name: "island-imports",
    setup(build) {
      build.onResolve({ filter: /./ }, (args) => {
        const island = islandOf.get(args.path);
        if (!island || args.importer.includes("/node_modules/")) return undefined;
        return { path: args.path, namespace: "island", pluginData: island };
      });
      build.onLoad({ filter: /./, namespace: "island" }, (args) => {
        const island = args.pluginData;
        const names = ISLANDS[island][args.path];
        return {
          resolveDir: root,
          loader: "js",
          contents: [
            `import { loadCommonJs } from ${JSON.stringify(resolve(root, CODE_CACHE_MODULE))};`,
            `import { fileURLToPath } from "node:url";`,
            `const file = fileURLToPath(new URL(${JSON.stringify(`./${island}.cjs`)}, import.meta.url));`,
            // ECHOGATE_ISLAND_KEYS: the islands' content hashes, defined by ownCodeOptions.
            `const island = loadCommonJs(file, { contentKeys: ECHOGATE_ISLAND_KEYS }).exports[${JSON.stringify(args.path)}];`,
            // `export { … as name }`: a name may be a reserved word (zod's `enum`).
            ...names.map(
              (name, i) => `const n${i} = island[${JSON.stringify(name)}]; export { n${i} as ${name} };`,
            ),
          ].join("\n"),
        };
      });
    },
  };
}

/**
 * In a client island, the shared modules come from SHARED_ISLAND's file at run time (a sibling
 * `.cjs` that loadCommonJs loads once, through the code cache) instead of a copy of their own.
 */
const fromSharedIsland = {
  name: "from-shared-island",
  setup(build) {
    const shared = new RegExp(
      `^(${SHARED_ISLAND.modules.map((m) => m.replace(/[/.-]/g, "\\$&")).join("|")})$`,
    );
    const file = `./${SHARED_ISLAND.name}.cjs`;
    build.onResolve({ filter: shared }, (args) => ({ path: args.path, namespace: "shared-island" }));
    build.onResolve({ filter: /^\.\/[\w-]+\.cjs$/, namespace: "shared-island" }, (args) => ({
      path: args.path,
      external: true,
    }));
    build.onLoad({ filter: /./, namespace: "shared-island" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(file)})[${JSON.stringify(args.path)}];`,
      loader: "js",
    }));
  },
};

/** An island entry exporting, per specifier, an object of the names listed (an ES module, shaken). */
function pickedEntry(specifiers) {
  return Object.entries(specifiers).flatMap(([specifier, names], i) => [
    `import { ${names.map((name, j) => `${name} as m${i}_${j}`).join(", ")} } from ${JSON.stringify(specifier)};`,
    `const s${i} = { ${names.map((name, j) => `${JSON.stringify(name)}: m${i}_${j}`).join(", ")} };`,
    `export { s${i} as ${JSON.stringify(specifier)} };`,
  ]);
}

/** Builds `<outdir>/<island>.cjs` for every island (the shared one first). */
async function buildIslands(root, outdir) {
  const metafiles = [];
  for (const [island, specifiers] of Object.entries(ISLANDS)) {
    const isShared = island === SHARED_ISLAND.name;
    // Every island exports whole modules by specifier; the CLI's imports pick names (islandImports).
    const modules = isShared
      ? [...new Set([...SHARED_ISLAND.modules, ...Object.keys(specifiers)])]
      : Object.keys(specifiers);
    const entry = PICKED_ISLANDS.has(island)
      ? pickedEntry(specifiers)
      : modules.map(
          (specifier) => `exports[${JSON.stringify(specifier)}] = require(${JSON.stringify(specifier)});`,
        );
    const result = await build({
      absWorkingDir: root,
      stdin: {
        contents: entry.join("\n"),
        resolveDir: root,
        sourcefile: `${island}-island.cjs`,
        loader: "js",
      },
      outfile: join(outdir, `${island}.cjs`),
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      external: EXTERNAL,
      plugins: [...(isShared ? [] : [fromSharedIsland]), googleGaxRestOnly(root), jsonAsString],
      // Read, hashed and decoded on every load: without comments and indentation it is ~40% smaller
      // (names stay, so stack traces still read).
      minifyWhitespace: true,
      // The licence notices go to <island>.cjs.LEGAL.txt, leaving the code ASCII (a faster decode).
      legalComments: "linked",
      sourcemap: "linked",
      sourcesContent: false,
      logLevel: "warning",
      metafile: true,
    });
    metafiles.push(result.metafile);
  }
  return metafiles;
}

/** The CLI's process entry (dist/echogate.js): it loads CLI_BUNDLE through the code cache. */
const LAUNCHER = "deploy/cli/launch.ts";
/** The CLI: one CommonJS file, so one compile from V8's code cache instead of ~60 ES module chunks. */
const CLI_MODULE = "deploy/cli/process-main.ts";
const CLI_BUNDLE = "cli.cjs";

/**
 * Options every build of echogate's own code shares. The islands are built before it: `islandKeys`
 * are their content hashes (islandKeysOf).
 */
function ownCodeOptions(root, islandKeys) {
  return {
    define: { ECHOGATE_ISLAND_KEYS: JSON.stringify(islandKeys) },
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    plugins: [islandImports(root), googleGaxRestOnly(root), jsonAsString],
    // A name an island doesn't list would be undefined at run time: a build error, not a warning.
    logOverride: { "import-is-undefined": "error" },
    sourcemap: "linked",
    // The maps name source files; their text would triple the package size (bundled dependencies).
    sourcesContent: false,
    logLevel: "warning",
    metafile: true,
  };
}

/**
 * dist/cli.cjs and its launcher. The bundle is CommonJS run by loadCommonJs (a function body), so
 * import.meta.url becomes the bundle's own file URL: siblings in dist/ resolve as they would.
 */
async function buildCliBundle(root, outdir, islandKeys) {
  const options = ownCodeOptions(root, islandKeys);
  const cli = await build({
    ...options,
    entryPoints: [CLI_MODULE],
    outfile: join(outdir, CLI_BUNDLE),
    format: "cjs",
    define: { ...options.define, "import.meta.url": "__echogateImportMetaUrl" },
    banner: {
      js: '"use strict"; const __echogateImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    // Read on every start: without comments and indentation it is ~40% smaller.
    minifyWhitespace: true,
    legalComments: "linked",
  });
  const launcher = await build({
    ...options,
    entryPoints: { echogate: LAUNCHER },
    outdir,
    format: "esm",
    define: { ...options.define, ECHOGATE_BUILD_ID: JSON.stringify(buildId(root, outdir, islandKeys)) },
  });
  return [cli.metafile, launcher.metafile];
}

const contentHash = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A hash of the CommonJS bundles in `outdir` (the CLI and its islands): what caches are keyed by. */
function buildId(root, outdir, islandKeys) {
  const cli = contentHash(resolve(root, outdir, CLI_BUNDLE));
  return createHash("sha256")
    .update(JSON.stringify({ [CLI_BUNDLE]: cli, ...islandKeys }))
    .digest("hex");
}

/** Each island's content hash by file name: its code cache key, known without hashing at run time. */
function islandKeysOf(root, outdir) {
  return Object.fromEntries(
    Object.keys(ISLANDS).map((island) => [
      `${island}.cjs`,
      contentHash(resolve(root, outdir, `${island}.cjs`)),
    ]),
  );
}

/** Builds dist/ (or `outdir`, relative to root) and returns esbuild's metafile (islands included). */
export async function buildCli(root = fileURLToPath(new URL("..", import.meta.url)), outdir = "dist") {
  const islands = await buildIslands(root, outdir);
  const islandKeys = islandKeysOf(root, outdir);
  const cli = await buildCliBundle(root, outdir, islandKeys);
  const result = await build({
    ...ownCodeOptions(root, islandKeys),
    entryPoints: {
      // The programmatic API (package.json `exports`); its types: writeApiTypes.
      index: API_MODULE,
      // The emulators' daemon, spawned by `echogate emulator start` (packages/emulator/src/daemon.ts).
      ...(existsSync(`${root}/${EMULATOR_DAEMON}`) ? { "emulator-daemon": EMULATOR_DAEMON } : {}),
    },
    outdir,
    splitting: true,
    format: "esm",
    // Bundled CommonJS dependencies call require() for Node built-ins, and some (google-gax) read
    // __dirname at load time for proto paths used only by the gRPC transport echogate doesn't use.
    banner: {
      js: [
        'import { createRequire as __echogateRequire } from "node:module";',
        'import { dirname as __echogateDirname } from "node:path";',
        'import { fileURLToPath as __echogateFileUrlToPath } from "node:url";',
        "const require = __echogateRequire(import.meta.url);",
        "const __filename = __echogateFileUrlToPath(import.meta.url);",
        "const __dirname = __echogateDirname(__filename);",
      ].join(" "),
    },
  });
  const parts = [result.metafile, ...cli, ...islands];
  const metafile = {
    inputs: Object.assign({}, ...parts.map((m) => m.inputs)),
    outputs: Object.assign({}, ...parts.map((m) => m.outputs)),
  };
  await writeApiTypes(root, outdir);
  // Chunk names change with content: drop the previous build's chunks so dist/ doesn't grow.
  const current = new Set([...Object.keys(metafile.outputs).map((path) => basename(path)), "index.d.ts"]);
  const out = resolve(root, outdir);
  for (const name of readdirSync(out)) {
    if (!current.has(name)) rmSync(join(out, name), { force: true });
  }
  return metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
