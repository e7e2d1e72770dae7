import type { BuildMode } from "../config/project-schema.js";
import { nativeAddons } from "../source/native-addons.js";
import { readProductionTree } from "../source/production-deps.js";

export { type BuildMode, type BuildSettings, buildModes } from "../config/project-schema.js";

interface ChosenBuildMode {
  mode: BuildMode;
  /** Why: `configured`, or the detection (`native addon better-sqlite3`, `no native addon`). */
  reason: string;
}

/** The configured mode, else the detected default: installed deps when a native addon is installed. */
export async function chooseBuildMode(projectDir: string, configured?: BuildMode): Promise<ChosenBuildMode> {
  if (configured) return { mode: configured, reason: "configured" };
  const addons = nativeAddons((await readProductionTree(projectDir)).packages);
  return addons.length > 0
    ? { mode: "installed-deps", reason: `native addon ${addons.map((addon) => addon.name).join(", ")}` }
    : { mode: "bundle", reason: "no native addon" };
}
