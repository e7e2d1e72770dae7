import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { buildOnce } from "../helpers/build-once.js";

// A foreign project, as a user has it: a copy of a fixture under test/fixtures/adopt/, its
// dependencies installed, echogate installed from the packed tarball, committed to git.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fixturesDir = join(repoRoot, "test", "fixtures", "adopt");
const created: string[] = [];

const npmEnv = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  // No prebuilt download is reachable here: go straight to the source build.
  npm_config_build_from_source: "true",
  // node-gyp: compile with every core.
  JOBS: "max",
};

/** What goes into the packed tarball: the build's sources and scripts, the manifest, the lockfile. */
const PACK_INPUTS = [
  "deploy",
  "bin",
  "scripts/build.mjs",
  "scripts/prune-run-protos.mjs",
  "scripts/google-gax-rest.cjs",
  "package.json",
  "package-lock.json",
  "README.md",
  "LICENSE",
];
const PACK_CACHE = join(tmpdir(), "echogate-pack-cache");
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 5 * 60_000;

/**
 * `npm pack` of this repo as npm publishes it: dist/ built fresh into a staging copy (never this
 * checkout's dist/, which other tests run from), then packed by the package.json `files` list.
 * The tarball is kept per content of PACK_INPUTS (under a lock, so test files packing at once
 * build once): an edit to any of them packs anew.
 * ECHOGATE_ADOPT_TARBALL=<path.tgz> runs the tests against another build (e.g. an older release).
 */
export async function packEchogate(): Promise<string> {
  if (process.env.ECHOGATE_ADOPT_TARBALL) return process.env.ECHOGATE_ADOPT_TARBALL;
  const dir = join(PACK_CACHE, await packInputsHash());
  const tarball = join(dir, "echogate.tgz");
  await buildOnce(
    dir,
    () => exists(tarball),
    async () => {
      const packed = await packFresh();
      await mkdir(dir, { recursive: true });
      await cp(packed, `${tarball}.partial`);
      await rename(`${tarball}.partial`, tarball);
    },
    { staleLockMs: STALE_LOCK_MS },
  );
  return tarball;
}

async function packFresh(): Promise<string> {
  const stage = await tempDir("echogate-pack-");
  const { buildCli } = (await import(join(repoRoot, "scripts", "build.mjs"))) as {
    buildCli(root: string, outdir: string): Promise<unknown>;
  };
  await buildCli(repoRoot, join(stage, "package", "dist"));
  for (const file of ["package.json", "README.md", "LICENSE", "bin"])
    await cp(join(repoRoot, file), join(stage, "package", file), { recursive: true });
  const { stdout } = await execa("npm", ["pack", "--ignore-scripts", "--pack-destination", stage, "--json"], {
    cwd: join(stage, "package"),
    env: npmEnv,
  });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  return join(stage, filename);
}

/** sha256 over the path and bytes of every file in PACK_INPUTS, in a stable order. */
async function packInputsHash(): Promise<string> {
  const hash = createHash("sha256");
  const files = (
    await Promise.all(
      PACK_INPUTS.map(async (input) => {
        const path = join(repoRoot, input);
        if (!(await stat(path)).isDirectory()) return [input];
        const entries = await readdir(path, { recursive: true, withFileTypes: true });
        return entries.filter((e) => e.isFile()).map((e) => relative(repoRoot, join(e.parentPath, e.name)));
      }),
    )
  )
    .flat()
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(await readFile(join(repoRoot, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** A copy of test/fixtures/<set>/<name> (set: adopt unless given) in a temporary directory. */
export async function prepareFixture(
  name: string,
  edit?: (dir: string) => Promise<void>,
  set = "adopt",
): Promise<string> {
  const dir = await tempDir(`echogate-adopt-${name}-`);
  await cp(join(fixturesDir, "..", set, name), dir, { recursive: true });
  await edit?.(dir);
  return dir;
}

export interface InstallTimes {
  dependenciesMs: number;
  /** True when the fixture's node_modules came from the per-lockfile cache. */
  cached: boolean;
  echogateMs: number;
}

/**
 * Installs the fixture's dependencies (`npm ci`, cached per package-lock.json and Node version, so a
 * native addon compiles once per machine), then echogate from the tarball as a devDependency.
 */
export async function installInto(dir: string, tarball: string): Promise<InstallTimes> {
  const started = performance.now();
  const cache = await dependencyCache(dir);
  let cached = true;
  if (await exists(cache)) {
    await cp(cache, join(dir, "node_modules"), { recursive: true, verbatimSymlinks: true });
  } else {
    cached = false;
    await execa("npm", ["ci", "--prefer-offline"], { cwd: dir, env: npmEnv });
    const partial = `${cache}.partial-${process.pid}`;
    await mkdir(dirname(cache), { recursive: true });
    await cp(join(dir, "node_modules"), partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, cache).catch(() => rm(partial, { recursive: true, force: true }));
  }
  const dependenciesMs = performance.now() - started;
  const echogateStarted = performance.now();
  await execa("npm", ["install", "--save-dev", "--prefer-offline", tarball], { cwd: dir, env: npmEnv });
  return { dependenciesMs, cached, echogateMs: performance.now() - echogateStarted };
}

async function dependencyCache(dir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { name: string };
  const lock = await readFile(join(dir, "package-lock.json"));
  const key = createHash("sha256")
    .update(lock)
    .update(`${process.version} ${process.platform} ${process.arch}`)
    .digest("hex")
    .slice(0, 16);
  return join(tmpdir(), "echogate-fixture-deps", `${pkg.name}-${key}`);
}

/** Writes files relative to the project. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Commits everything, so the build's version is `<package version>+<sha>`. */
export async function commitAll(dir: string): Promise<void> {
  const git = (...args: string[]) => execa("git", args, { cwd: dir });
  if (!(await exists(join(dir, ".git")))) await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git(
    "-c",
    "user.name=adopt",
    "-c",
    "user.email=adopt@example.com",
    "commit",
    "-q",
    "-m",
    "adopt echogate",
  );
}

export interface EchogateRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `node_modules/.bin/echogate …` in the project, as a user runs it. */
export async function echogateBin(dir: string, ...args: string[]): Promise<EchogateRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.ECHOGATE_EMULATOR_ENDPOINT;
  const result = await execa(join(dir, "node_modules", ".bin", "echogate"), args, {
    cwd: dir,
    env,
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export async function removeCreated(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
