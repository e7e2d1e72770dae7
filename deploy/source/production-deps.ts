import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { pathExists } from "../core/path-exists.js";
import { MAX_LOCKFILE_BYTES, readSourceText } from "../core/read-source-file.js";

/** One installed package of the production dependency tree, with what tells a native addon apart. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** Relative to the project, forward slashes: `node_modules/better-sqlite3`. */
  dir: string;
  dependencies: string[];
  gypfile: boolean;
  hasBindingGyp: boolean;
  /** Compiled addons shipped or built in the package (`build/Release/x.node`), relative to `dir`. */
  nodeFiles: string[];
  /** The package's own install scripts (`install`, `postinstall`, `preinstall`). */
  installScripts: Record<string, string>;
  /** package.json `binary` (node-pre-gyp's host and templates, prebuild-install's napi_versions). */
  binary?: { host?: unknown; napi_versions?: unknown };
}

interface ProductionTree {
  packages: InstalledPackage[];
  /** Where the facts come from: the installed node_modules, or package-lock.json when nothing is installed yet. */
  source: "node_modules" | "package-lock.json" | "none";
  /** Declared production dependencies not installed (not yet `npm ci`'d, or an optional one skipped). */
  missing: string[];
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  gypfile?: boolean;
  scripts?: Record<string, string>;
  binary?: { host?: unknown; napi_versions?: unknown };
}

const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"];
const MAX_NODE_FILE_DEPTH = 4;

/**
 * The packages `npm ci --omit=dev` would install, read from the project's node_modules: the
 * dependencies and optionalDependencies of package.json, resolved as Node resolves them (nearest
 * node_modules up the tree), recursively. Nothing is executed.
 */
export async function readProductionTree(projectDir: string): Promise<ProductionTree> {
  const root = await readPackageJson(projectDir);
  const seen = new Map<string, InstalledPackage>();
  const missing: string[] = [];
  // Breadth first, one level of the tree at a time read in parallel: a few hundred packages stay fast.
  let level = required(root, projectDir);
  while (level.length > 0) {
    const located = await Promise.all(
      level.map(async (want) => ({ ...want, dir: await locate(projectDir, want.from, want.name) })),
    );
    const fresh = new Map<string, { name: string; dir: string }>();
    for (const { name, from, optional, dir } of located) {
      if (!dir) {
        // A skipped optional dependency (another platform's binary) is normal; a required one isn't.
        if (!optional)
          missing.push(from === projectDir ? name : `${name} (for ${toPosix(relative(projectDir, from))})`);
        continue;
      }
      const key = toPosix(relative(projectDir, dir));
      if (!seen.has(key) && !fresh.has(key)) fresh.set(key, { name, dir });
    }
    const read = await Promise.all(
      [...fresh].map(async ([key, { name, dir }]) => {
        const pkg = (await readPackageJson(dir)) ?? {};
        return { pkg, dir, installed: await describePackage(key, name, dir, pkg) };
      }),
    );
    level = [];
    for (const { pkg, dir, installed } of read) {
      seen.set(installed.dir, installed);
      level.push(...required(pkg, dir));
    }
  }
  const packages = [...seen.values()].sort((a, b) => a.dir.localeCompare(b.dir));
  if (packages.length > 0 || missing.length === 0) return { packages, source: "node_modules", missing };
  const locked = await readLockfile(projectDir);
  return locked
    ? { packages: locked, source: "package-lock.json", missing: [] }
    : { packages, source: "none", missing };
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Before `npm ci`, package-lock.json (v2/v3) still names every production package and its
 * dependencies; it can't show binding.gyp or .node files, so an install script is taken for a build.
 */
async function readLockfile(projectDir: string): Promise<InstalledPackage[] | undefined> {
  const text = readSourceText(projectDir, "package-lock.json", MAX_LOCKFILE_BYTES);
  let lock: { packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
  if (!lock.packages) return undefined;
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev !== true)
    .map(([path, entry]) => ({
      name: path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length),
      version: entry.version ?? "",
      dir: path,
      dependencies: [
        ...Object.keys(entry.dependencies ?? {}),
        ...Object.keys(entry.optionalDependencies ?? {}),
      ],
      gypfile: false,
      hasBindingGyp: false,
      nodeFiles: [],
      installScripts: (entry.hasInstallScript ? { install: "(from package-lock.json)" } : {}) as Record<
        string,
        string
      >,
    }))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

async function describePackage(
  key: string,
  name: string,
  dir: string,
  pkg: PackageJson,
): Promise<InstalledPackage> {
  const [hasBindingGyp, nodeFiles] = await Promise.all([
    pathExists(join(dir, "binding.gyp")),
    findNodeFiles(dir),
  ]);
  return {
    name,
    version: pkg.version ?? "",
    dir: key,
    dependencies: declared(pkg),
    gypfile: pkg.gypfile === true,
    hasBindingGyp,
    nodeFiles,
    installScripts: Object.fromEntries(
      Object.entries(pkg.scripts ?? {}).filter(([script]) => INSTALL_SCRIPTS.includes(script)),
    ),
    ...(typeof pkg.binary === "object" && pkg.binary !== null ? { binary: pkg.binary } : {}),
  };
}

function required(
  pkg: PackageJson | undefined,
  from: string,
): { name: string; from: string; optional: boolean }[] {
  const optional = Object.keys(pkg?.optionalDependencies ?? {});
  return declared(pkg).map((name) => ({ name, from, optional: optional.includes(name) }));
}

function declared(pkg: PackageJson | undefined): string[] {
  return [...Object.keys(pkg?.dependencies ?? {}), ...Object.keys(pkg?.optionalDependencies ?? {})];
}

/** `name` as Node finds it from `from`: from/node_modules/name, then each parent's, up to the project. */
async function locate(projectDir: string, from: string, name: string): Promise<string | undefined> {
  let dir = from;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (await pathExists(join(candidate, "package.json"))) return candidate;
    if (dir === projectDir || !dir.startsWith(projectDir)) return undefined;
    const parent = join(dir, "..");
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Where packages keep compiled addons: the root and the folders node-gyp and the prebuild tools write. */
const BINARY_DIRS = ["build", "prebuilds", "bin", "binding", "native", "lib/binding"];

async function findNodeFiles(dir: string): Promise<string[]> {
  const found = await Promise.all(
    ["", ...BINARY_DIRS].map((sub) => nodeFilesIn(dir, sub, sub === "" ? 0 : 1)),
  );
  return found.flat().sort();
}

async function nodeFilesIn(dir: string, prefix: string, depth: number): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile() && entry.name.endsWith(".node")) found.push(path);
    else if (depth > 0 && depth < MAX_NODE_FILE_DEPTH && entry.isDirectory() && entry.name !== "node_modules")
      found.push(...(await nodeFilesIn(dir, path, depth + 1)));
  }
  return found;
}

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  const text = readSourceText(dir, "package.json");
  try {
    return JSON.parse(text ?? "") as PackageJson;
  } catch {
    return undefined;
  }
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
