import { join } from "node:path";
import { requireProjectSettings } from "../config/load-project-settings.js";
import type { ProjectSettings } from "../config/project-schema.js";
import { readSourceText } from "../core/read-source-file.js";
import { type ResolvedLayout, resolveLayout } from "./layout.js";
import { listProjectFiles } from "./project-files.js";

/** The project's layout: environments/echogate.yaml's `layout:` with every unset key detected. */
export async function loadProjectLayout(
  projectDir: string,
  given?: ProjectSettings,
): Promise<ResolvedLayout> {
  const settings = given ?? (await requireProjectSettings(projectDir));
  const packageJson = readSourceText(projectDir, join(settings.layout.workingDir, "package.json"));
  return resolveLayout(settings.layout, listProjectFiles(projectDir), packageJson);
}
