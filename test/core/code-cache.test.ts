import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codeCacheDir, loadCommonJs } from "../../deploy/core/code-cache.js";
import { asInstallError } from "../../deploy/core/install-problem.js";

// Each load runs in a child process: the cache is written when the process exits.
const codeCache = fileURLToPath(new URL("../../deploy/core/code-cache.ts", import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

let dir: string;
let moduleFile: string;
let cacheDir: string;
let child: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "echogate-code-cache-"));
  moduleFile = join(dir, "island.cjs");
  cacheDir = join(dir, "cache");
  child = join(dir, "load.mts");
  writeFileSync(moduleFile, moduleSource(42));
  writeFileSync(
    child,
    [
      `import { loadCommonJs } from ${JSON.stringify(codeCache)};`,
      "const options = { ...(process.argv[3] ? { cacheDir: process.argv[3] } : {}), variant: process.argv[4] };",
      "const loaded = loadCommonJs(process.argv[2], options);",
      "const again = loadCommonJs(process.argv[2], options);",
      "console.log(JSON.stringify({ cache: loaded.cache, answer: loaded.exports.answer(), once: loaded === again }));",
    ].join("\n"),
  );
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

function moduleSource(answer: number): string {
  return [
    'const { join } = require("node:path");',
    `exports.answer = () => Number(join("${answer}"));`,
    "exports.file = __filename;",
  ].join("\n");
}

/** Loads the module in a child; `cache: ""` leaves the directory to `codeCacheDir()`. */
function load(
  cache = cacheDir,
  env: NodeJS.ProcessEnv = {},
  variant?: string,
): { cache: string; answer: number; once: boolean } {
  const args = [child, moduleFile, cache, ...(variant ? [variant] : [])];
  const run = spawnSync(process.execPath, ["--import", tsx, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim());
}

const cacheFiles = () => readdirSync(cacheDir).filter((name) => name.endsWith(".v8"));
const mode = (path: string) => statSync(path).mode & 0o777;

describe("loadCommonJs", () => {
  it("compiles the first time and caches the code privately; later runs use the cache", () => {
    expect(load()).toEqual({ cache: "miss", answer: 42, once: true });
    const [file] = cacheFiles();
    expect(file).toMatch(/^island\.cjs-v\w+-[0-9a-f]{32}\.v8$/);
    expect(mode(cacheDir)).toBe(0o700);
    expect(mode(join(cacheDir, file!))).toBe(0o600);
    expect(load()).toEqual({ cache: "hit", answer: 42, once: true });
  });

  it("gives changed source a cache of its own and drops the old one", () => {
    load();
    const [before] = cacheFiles();
    writeFileSync(moduleFile, moduleSource(7));
    expect(load()).toMatchObject({ cache: "miss", answer: 7 });
    const after = cacheFiles();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it("keeps a cache per variant, each replaced only by a change of its own", () => {
    expect(load(cacheDir, {}, "check")).toMatchObject({ cache: "miss" });
    expect(load(cacheDir, {}, "status")).toMatchObject({ cache: "miss" });
    expect(load(cacheDir, {}, "check")).toMatchObject({ cache: "hit" });
    expect(cacheFiles().sort()).toEqual([
      expect.stringMatching(/^island\.cjs@check-v\w+-[0-9a-f]{32}\.v8$/),
      expect.stringMatching(/^island\.cjs@status-v\w+-[0-9a-f]{32}\.v8$/),
    ]);
    writeFileSync(moduleFile, moduleSource(7));
    expect(load(cacheDir, {}, "check")).toMatchObject({ cache: "miss", answer: 7 });
    expect(cacheFiles()).toHaveLength(2);
  });

  it("runs the source when V8 rejects a damaged cache, and replaces it", () => {
    load();
    const file = join(cacheDir, cacheFiles()[0]!);
    writeFileSync(file, Buffer.alloc(4096, 7));
    expect(load()).toMatchObject({ cache: "rejected", answer: 42 });
    expect(readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
    expect(load()).toMatchObject({ cache: "hit", answer: 42 });
  });

  it("never reads a cache that others could have written", () => {
    load();
    const file = join(cacheDir, cacheFiles()[0]!);
    chmodSync(file, 0o666);
    expect(load()).toMatchObject({ cache: "miss", answer: 42 });
    expect(mode(file)).toBe(0o600);
    chmodSync(cacheDir, 0o777);
    expect(load()).toMatchObject({ cache: "miss", answer: 42 });
    // Nor writes into such a directory.
    rmSync(file);
    expect(load()).toMatchObject({ cache: "miss", answer: 42 });
    expect(cacheFiles()).toEqual([]);
  });

  it("works without a usable cache directory", () => {
    const blocked = join(dir, "not-a-directory");
    writeFileSync(blocked, "");
    expect(load(join(blocked, "cache"))).toEqual({ cache: "miss", answer: 42, once: true });
    expect(load("", { ECHOGATE_CODE_CACHE: "off" })).toEqual({ cache: "off", answer: 42, once: true });
  });
});

describe("a missing module file", () => {
  it("is an install problem naming the file, like any module that fails to load", () => {
    const missing = join(dir, "gone.cjs");
    let thrown: unknown;
    try {
      loadCommonJs(missing, { cacheDir });
    } catch (error) {
      thrown = error;
    }
    expect(asInstallError(thrown)?.message).toBe(
      `Can't load the module "${missing}": it is not installed where echogate runs`,
    );
  });
});

describe("codeCacheDir", () => {
  it("is under XDG_CACHE_HOME, and off on request", () => {
    mkdirSync(cacheDir);
    expect(codeCacheDir({ XDG_CACHE_HOME: cacheDir })).toBe(join(cacheDir, "echogate", "code-cache"));
    expect(codeCacheDir({ XDG_CACHE_HOME: cacheDir, ECHOGATE_CODE_CACHE: "off" })).toBeUndefined();
  });
});
