import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadProjectSettings } from "../../config/load-project-settings.js";
import { collectSourceFacts } from "../../source/collect-source-facts.js";
import { resolveLayout } from "../../source/layout.js";
import { listProjectFiles } from "../../source/project-files.js";
import type { SourceDriftFacts } from "../facts.js";

/**
 * Dockerfile, dev script and Cloud Build entries, each with file and line, from the files the layout
 * (environments/echogate.yaml, else detection) names.
 */
export async function collectSourceDrift(projectDir: string): Promise<SourceDriftFacts> {
  const { settings } = await loadProjectSettings(projectDir);
  const packageJsonPath = join(projectDir, settings.layout.workingDir, "package.json");
  const layout = resolveLayout(
    settings.layout,
    listProjectFiles(projectDir),
    existsSync(packageJsonPath) ? safeRead(packageJsonPath) : undefined,
  );
  const facts = collectSourceFacts(projectDir, { layout });
  const sources = { dockerfile: facts.dockerfile, devScript: facts.devScript, cloudbuild: facts.cloudbuild };
  // A file the user named is never "absent": its absence is a finding.
  const absent = (Object.keys(sources) as Array<keyof typeof sources>).filter((key) => {
    if (key === "devScript")
      return !layout.devScript || (!layout.devScript.named && !existsSync(packageJsonPath));
    const file = layout[key];
    return !file || (!file.named && !existsSync(join(projectDir, file.path)));
  });
  return { ...sources, ...(facts.configured ? { configured: facts.configured } : {}), absent };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
