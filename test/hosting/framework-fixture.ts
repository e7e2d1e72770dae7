import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterThisFile } from "../helpers/after-file.js";
import { buildOnce } from "../helpers/build-once.js";
import { testdir } from "../helpers/testdir.js";

// Front-end fixtures built with their framework's real CLI (Next.js, esbuild for the CRA-style
// one) from the npm registry. Each fixture's dependencies are installed once per lockfile into
// <os tmpdir>/echogate-fixture-deps/<fixture>-<hash>/ (`npm ci`, under a lock, so test files
// running at once install once); a test's project is a folder inside it, so Node and the framework
// resolve the dependencies from the parent folder. Not under the repository's node_modules/.cache:
// bundlers treat every file below a node_modules folder as a dependency, not the app's source.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const CACHE = join(tmpdir(), "echogate-fixture-deps");
const INSTALLED = ".installed";

/** Seconds the last `npm ci` took in this process (undefined when the cache already had it). */
export const installSeconds: Record<string, number> = {};

/** The folder whose node_modules holds the fixture's locked dependencies. */
async function installedDeps(fixture: string): Promise<string> {
  const source = join(repoRoot, "test", "fixtures", fixture);
  const manifest = await readFile(join(source, "package.json"));
  const lockfile = await readFile(join(source, "package-lock.json"));
  const key = createHash("sha256").update(manifest).update(lockfile).digest("hex").slice(0, 16);
  const dir = join(CACHE, `${fixture}-${key}`);
  await buildOnce(
    dir,
    async () => existsSync(join(dir, INSTALLED)),
    async () => {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "package.json"), manifest);
      await writeFile(join(dir, "package-lock.json"), lockfile);
      const started = performance.now();
      await execa("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: dir,
      });
      installSeconds[fixture] = Math.round((performance.now() - started) / 100) / 10;
      await writeFile(join(dir, INSTALLED), new Date().toISOString());
    },
    { pollMs: 500 },
  );
  return dir;
}

/**
 * A temporary copy of test/fixtures/<fixture>, without its lockfile (the framework would take the
 * copy for the workspace root); with a lockfile in the fixture, inside that lockfile's installed
 * dependencies. Removed after the file's tests.
 */
const SHARED_SERVER = join(repoRoot, "test", "fixtures", "vite-web", "server.js");

export async function fixtureProject(fixture: string): Promise<string> {
  const source = join(repoRoot, "test", "fixtures", fixture);
  let dir: string;
  if (existsSync(join(source, "package-lock.json"))) {
    const deps = await installedDeps(fixture);
    await mkdir(join(deps, "projects"), { recursive: true });
    dir = await mkdtemp(join(deps, "projects", "p-"));
    afterThisFile(() => rm(dir, { recursive: true, force: true }));
  } else dir = await testdir({});
  await cp(source, dir, { recursive: true, filter: (path) => !path.endsWith("package-lock.json") });
  // Every web fixture runs the same realtime server, kept once (beside the Vite fixture).
  if (!existsSync(join(dir, "server.js"))) await cp(SHARED_SERVER, join(dir, "server.js"));
  return dir;
}
