import { z } from "zod";
import { nativeAddons } from "../source/native-addons.js";
import { readProductionTree } from "../source/production-deps.js";

export const buildModes = ["bundle", "installed-deps"] as const;
export type BuildMode = (typeof buildModes)[number];

/**
 * Project-wide build settings (to be wired as `build:` in environments/echogate.yaml). The JSON
 * Schema and reference docs are generated from these descriptions.
 */
export const buildSettingsSchema = z
  .strictObject({
    mode: z
      .enum(buildModes)
      .optional()
      .describe(
        "How `echogate build` packs the server into the local image. `bundle`: the server and its dependencies in one esbuild file (no node_modules). `installed-deps`: the project's own code bundled with every package left external, plus the installed production dependencies (node_modules) as they are, for native addons (better-sqlite3) and dynamic requires that can't be bundled; run `npm ci` first. Default: `installed-deps` when the production dependencies hold a native addon, else `bundle`.",
      ),
  })
  .describe("How the local build packs the server.");

export type BuildSettings = z.infer<typeof buildSettingsSchema>;

export interface ChosenBuildMode {
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
