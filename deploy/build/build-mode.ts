import type { BuildMode } from "../config/project-schema.js";
import { readProductionTree } from "../source/production-deps.js";
import { addonsTheServerLoads } from "../source/scan-native-deps.js";

export { type BuildMode, type BuildSettings, buildModes } from "../config/project-schema.js";

interface ChosenBuildMode {
  mode: BuildMode;
  /** Why: `configured`, or the detection (`server loads native addon better-sqlite3`, `no native addon`). */
  reason: string;
}

/**
 * The configured mode, else the detected default: installed deps when the server entry's import
 * graph loads a native addon (one that is only installed, never loaded, doesn't count), else bundle.
 */
export async function chooseBuildMode(
  projectDir: string,
  serverDir: string,
  entry: string,
  configured?: BuildMode,
): Promise<ChosenBuildMode> {
  if (configured) return { mode: configured, reason: "configured" };
  const { packages } = await readProductionTree(serverDir);
  const { addons, unloaded } = await addonsTheServerLoads(projectDir, serverDir, [entry], packages);
  if (addons.length > 0)
    return {
      mode: "installed-deps",
      reason: `${entry} loads native addon ${addons.map((addon) => addon.name).join(", ")}`,
    };
  return {
    mode: "bundle",
    reason:
      unloaded.length > 0
        ? `${entry} loads no native addon (${unloaded.map((addon) => addon.name).join(", ")} installed, never loaded)`
        : "no native addon",
  };
}
