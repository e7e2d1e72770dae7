import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface BuildInfo {
  version: string;
  revision: string | null;
}

/** Pure: the build's APP_VERSION wins; a dev run reports `<package version>+dev`. */
export function resolveBuildInfo(
  env: Record<string, string | undefined>,
  packageVersion: string | null,
): BuildInfo {
  const baked = env.APP_VERSION?.trim();
  return {
    version: baked || `${packageVersion ?? "0.0.0"}+dev`,
    revision: env.K_REVISION?.trim() || null,
  };
}

/** Nearest package.json from `startDir` upwards; null in the image, which ships server.js alone. */
export function readPackageVersion(startDir: string = process.cwd()): string | null {
  let dir = startDir;
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      try {
        const parsed = JSON.parse(readFileSync(candidate, "utf8")) as { version?: unknown };
        return typeof parsed.version === "string" ? parsed.version : null;
      } catch {
        return null;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
