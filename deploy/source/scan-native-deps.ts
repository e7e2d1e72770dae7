import { existsSync } from "node:fs";
import { join } from "node:path";
import { readSourceText } from "../core/read-source-file.js";
import { collectSourceFacts } from "./collect-source-facts.js";
import { parseDockerfile, splitStages } from "./dockerfile-parser.js";
import type { ResolvedLayout } from "./layout.js";
import { type NativeAddon, nativeAddons } from "./native-addons.js";
import { nativePreflight, type PreflightFinding } from "./native-preflight.js";
import { type InstalledPackage, readProductionTree } from "./production-deps.js";

export interface NativeDepsReport {
  /** The Dockerfile checked, relative to the project; undefined when there is none. */
  dockerfile: string | undefined;
  /** The addons the server loads (every production one when its imports can't be followed). */
  addons: NativeAddon[];
  /** Addons installed as production dependencies that the server entry never loads: not checked. */
  unloaded: NativeAddon[];
  /** The server entries whose imports were followed; null when none could be (every addon counts). */
  loadedBy: string[] | null;
  findings: PreflightFinding[];
  /** Where the dependency facts came from. */
  source: "node_modules" | "package-lock.json" | "none";
}

/**
 * The native addons the server entry loads (its import graph, through node_modules), and whether
 * the layout's Dockerfile can build and carry them for the image's target.
 */
export async function scanNativeDeps(
  projectDir: string,
  resolved: ResolvedLayout,
): Promise<NativeDepsReport> {
  const dockerfile = resolved.dockerfile?.path;
  const serverDir = join(projectDir, resolved.workingDir);
  const tree = await readProductionTree(serverDir);
  const { addons, unloaded, loadedBy } = await addonsTheServerLoads(
    projectDir,
    serverDir,
    serverEntries(projectDir, resolved),
    tree.packages,
  );
  const report = { dockerfile, addons, unloaded, loadedBy, source: tree.source };
  if (addons.length === 0 || dockerfile === undefined) return { ...report, findings: [] };
  const text = readSourceText(projectDir, dockerfile);
  if (text === undefined) return { ...report, findings: [] };
  return { ...report, findings: nativePreflight(splitStages(parseDockerfile(text)), addons) };
}

/**
 * Splits the production tree's addons into those the entries' import graphs load and the rest. A
 * package requiring a computed name may load anything in its dependency closure, so those count as
 * loaded; when no entry can be followed (not installed yet, an unresolved import, a computed require
 * in the project's own code), every addon counts.
 */
export async function addonsTheServerLoads(
  projectDir: string,
  serverDir: string,
  entries: readonly string[],
  packages: readonly InstalledPackage[],
): Promise<{ addons: NativeAddon[]; unloaded: NativeAddon[]; loadedBy: string[] | null }> {
  const installed = nativeAddons(packages);
  if (installed.length === 0) return { addons: [], unloaded: [], loadedBy: [...entries] };
  // esbuild (its resolver follows the imports) loads only when there is an addon to place.
  const { isLoaded, packagesLoadedBy, realPath } = await import("./entry-packages.js");
  const loaded = await packagesLoadedBy(projectDir, entries);
  if (!loaded || loaded.projectDynamic) return { addons: installed, unloaded: [], loadedBy: null };
  const reachable = new Set(
    packages.filter((pkg) => isLoaded(loaded, serverDir, pkg.dir)).map((pkg) => pkg.dir),
  );
  const opaque = packages.filter((pkg) => loaded.dynamic.has(realPath(join(serverDir, pkg.dir))));
  for (const dir of dependencyClosure(packages, opaque)) reachable.add(dir);
  return {
    addons: installed.filter((addon) => reachable.has(addon.dir)),
    unloaded: installed.filter((addon) => !reachable.has(addon.dir)),
    loadedBy: loaded.entries,
  };
}

/** The folders of `from`'s dependencies, transitively, resolved as Node does (nearest node_modules up). */
function dependencyClosure(
  packages: readonly InstalledPackage[],
  from: readonly InstalledPackage[],
): string[] {
  const byDir = new Map(packages.map((pkg) => [pkg.dir, pkg]));
  const seen = new Set<string>();
  const queue = [...from];
  while (queue.length > 0) {
    const pkg = queue.shift()!;
    for (const name of pkg.dependencies) {
      const found = resolveFrom(byDir, pkg.dir, name);
      if (found && !seen.has(found.dir)) {
        seen.add(found.dir);
        queue.push(found);
      }
    }
  }
  return [...seen];
}

function resolveFrom(
  byDir: ReadonlyMap<string, InstalledPackage>,
  fromDir: string,
  name: string,
): InstalledPackage | undefined {
  let dir = fromDir;
  for (;;) {
    const found = byDir.get(`${dir}/node_modules/${name}`);
    if (found) return found;
    const at = dir.lastIndexOf("/node_modules/");
    if (at < 0) return byDir.get(`node_modules/${name}`);
    dir = dir.slice(0, at);
  }
}

/** The server entries the layout's sources name (layout.serverEntry first) that exist in the project. */
function serverEntries(projectDir: string, layout: ResolvedLayout): string[] {
  const facts = collectSourceFacts(projectDir, { layout });
  const named = [facts.configured, facts.dockerfile, facts.devScript, facts.cloudbuild].flatMap((fact) =>
    fact?.entry ? [fact.entry] : [],
  );
  return [...new Set(named)].filter((entry) => existsSync(join(projectDir, entry)));
}
