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

export interface NativeAddon {
  name: string;
  version: string;
  dir: string;
  /** Why it counts as native: `binding.gyp`, `gypfile: true`, `depends on prebuild-install`, `build/Release/x.node`. */
  evidence: string[];
  /** It compiles from source at install time (binding.gyp or gypfile), so the install stage needs python3, make and a C++ compiler unless a prebuilt binary downloads. */
  compiles: boolean;
}

/** The native addons among installed packages (pure). The loader packages themselves don't count. */
export function nativeAddons(packages: readonly InstalledPackage[]): NativeAddon[] {
  const addons: NativeAddon[] = [];
  for (const pkg of packages) {
    if (NATIVE_LOADERS.includes(pkg.name)) continue;
    const evidence: string[] = [];
    if (pkg.hasBindingGyp) evidence.push("binding.gyp");
    if (pkg.gypfile) evidence.push("gypfile: true");
    const loaders = pkg.dependencies.filter((name) => NATIVE_LOADERS.includes(name));
    for (const loader of loaders) evidence.push(`depends on ${loader}`);
    evidence.push(...pkg.nodeFiles.slice(0, 2));
    if (evidence.length === 0) continue;
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
    });
  }
  return addons;
}
