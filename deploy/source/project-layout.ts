import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { requireProjectSettings } from "../config/load-project-settings.js";
import type { ProjectSettings } from "../config/project-schema.js";
import { type ResolvedLayout, resolveLayout } from "./layout.js";
import { listProjectFiles } from "./project-files.js";

/** The project's layout: environments/echogate.yaml's `layout:` with every unset key detected. */
export async function loadProjectLayout(
  projectDir: string,
  given?: ProjectSettings,
): Promise<ResolvedLayout> {
  const settings = given ?? (await requireProjectSettings(projectDir));
  const packageJson = await readFile(
    join(projectDir, settings.layout.workingDir, "package.json"),
    "utf8",
  ).catch(() => undefined);
  return resolveLayout(settings.layout, listProjectFiles(projectDir), packageJson);
}
