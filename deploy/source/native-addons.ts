import type { InstalledPackage } from "./production-deps.js";

/** Packages whose presence as a dependency means "this package builds or loads a native addon". */
const NATIVE_LOADERS = [
  "node-gyp-build",
  "prebuild-install",
  "@mapbox/node-pre-gyp",
  "node-pre-gyp",
  "bindings",
  "node-addon-api",
  "nan",
];

/**
 * Front-end and build tools that ship native binaries but never run in a server process: a web
 * build or a bundler loads them, not the server entry, so they are never the server's addons.
 */
const BUILD_TOOL_ADDONS = [
  /^@next\/swc-/,
  /^@swc\//,
  /^esbuild$/,
  /^@esbuild\//,
  /^@rollup\/rollup-/,
  /^lightningcss(?:-|$)/,
  /^@parcel\/watcher/,
  /^@tailwindcss\/oxide/,
  /^fsevents$/,
  /^turbo(?:-|$)/,
];

/**
 * How a package gets a compiled binary without compiling on the install machine:
 * - `bundled`: it ships `prebuilds/<platform>-<arch>/*.node` in its own tarball (prebuildify +
 *   node-gyp-build, e.g. bcrypt 6); `targets` lists them (`linux-x64-musl`, `linux-x64-glibc`).
 *   The only evidence that proves a target offline.
 * - `download`: its install script fetches one from the publisher's releases (`prebuild-install`,
 *   `node-pre-gyp install` with a `binary.host`; e.g. sqlite3, better-sqlite3, bcrypt 5). Which
 *   targets were released is not in the package; `napi` means one binary serves every Node version.
 */
type Prebuilt =
  | { kind: "bundled"; targets: string[] }
  | { kind: "download"; tool: "prebuild-install" | "node-pre-gyp"; napi: boolean };

export interface NativeAddon {
  name: string;
  version: string;
  dir: string;
  /** Why it counts as native: `binding.gyp`, `gypfile: true`, `depends on prebuild-install`, `build/Release/x.node`. */
  evidence: string[];
  /** It compiles from source at install time (binding.gyp or gypfile), so the install stage needs python3, make and a C++ compiler unless a prebuilt binary downloads. */
  compiles: boolean;
  /** Its published prebuilt binaries, when it declares any. */
  prebuilt?: Prebuilt;
}

/** `better-sqlite3@12.4.1 (binding.gyp, depends on prebuild-install)`, for reports. */
export function describeAddon(addon: NativeAddon): string {
  return `${addon.name}@${addon.version} (${addon.evidence.join(", ")})`;
}

/** A Linux target an image runs: Cloud Run runs x86-64; Alpine is musl, other bases glibc. */
export interface LinuxTarget {
  arch: "x64" | "arm64";
  libc: "glibc" | "musl";
}

function isBuildToolAddon(name: string): boolean {
  return BUILD_TOOL_ADDONS.some((pattern) => pattern.test(name));
}

/** The native addons among installed packages (pure). The loader packages and build tools don't count. */
export function nativeAddons(packages: readonly InstalledPackage[]): NativeAddon[] {
  const addons: NativeAddon[] = [];
  for (const pkg of packages) {
    if (NATIVE_LOADERS.includes(pkg.name) || isBuildToolAddon(pkg.name)) continue;
    const evidence: string[] = [];
    if (pkg.hasBindingGyp) evidence.push("binding.gyp");
    if (pkg.gypfile) evidence.push("gypfile: true");
    const loaders = pkg.dependencies.filter((name) => NATIVE_LOADERS.includes(name));
    for (const loader of loaders) evidence.push(`depends on ${loader}`);
    evidence.push(...pkg.nodeFiles.slice(0, 2));
    if (evidence.length === 0) continue;
    const prebuilt = prebuiltOf(pkg);
    if (prebuilt?.kind === "download")
      evidence.push(`prebuilt download (${prebuilt.tool}${prebuilt.napi ? ", N-API" : ""})`);
    addons.push({
      name: pkg.name,
      version: pkg.version,
      dir: pkg.dir,
      evidence,
      // Without the package on disk (package-lock.json only), an install script next to a loader is a build.
      compiles:
        pkg.hasBindingGyp ||
        pkg.gypfile ||
        (loaders.length > 0 && Object.keys(pkg.installScripts).length > 0),
      ...(prebuilt ? { prebuilt } : {}),
    });
  }
  return addons;
}

/** What the package declares about prebuilt binaries (pure, from package.json and its files). */
function prebuiltOf(pkg: InstalledPackage): Prebuilt | undefined {
  const targets = [...new Set(pkg.nodeFiles.flatMap((file) => bundledTarget(file) ?? []))].sort();
  if (targets.length > 0) return { kind: "bundled", targets };
  const install = Object.values(pkg.installScripts).join(" ");
  const binary = pkg.binary ?? {};
  const napi = Array.isArray(binary.napi_versions) && binary.napi_versions.length > 0;
  if (/\bprebuild-install\b/.test(install))
    return {
      kind: "download",
      tool: "prebuild-install",
      napi: napi || /(?:-r|--runtime)[= ]napi\b/.test(install),
    };
  if (/\bnode-pre-gyp\s+install\b/.test(install) && typeof binary.host === "string")
    return { kind: "download", tool: "node-pre-gyp", napi };
  return undefined;
}

/** `prebuilds/linux-x64/node.napi.musl.node` → `linux-x64-musl`; glibc when no libc is named. */
function bundledTarget(file: string): string | undefined {
  const match = /^prebuilds\/([a-z0-9]+)-([a-z0-9]+)\/([^/]+)\.node$/.exec(file);
  if (!match) return undefined;
  const [, platform, arch, name] = match;
  if (platform !== "linux") return `${platform}-${arch}`;
  return `linux-${arch}-${/(?:^|[.-])musl(?:[.-]|$)/.test(name!) ? "musl" : "glibc"}`;
}

/** A bundled prebuilt binary fits the target. */
export function hasBundledPrebuilt(addon: NativeAddon, target: LinuxTarget): boolean {
  return (
    addon.prebuilt?.kind === "bundled" &&
    addon.prebuilt.targets.includes(`linux-${target.arch}-${target.libc}`)
  );
}
