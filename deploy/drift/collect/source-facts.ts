import { existsSync } from "node:fs";
import { join } from "node:path";
import { collectSourceFacts } from "../../source/collect-source-facts.js";
import type { ResolvedLayout } from "../../source/layout.js";
import type { SourceDriftFacts } from "../facts.js";

/**
 * Dockerfile, dev script and Cloud Build entries, each with file and line, from the files the layout
 * (environments/echogate.yaml, else detection) names.
 */
export function collectSourceDrift(projectDir: string, layout: ResolvedLayout): SourceDriftFacts {
  const packageJsonPath = join(projectDir, layout.workingDir, "package.json");
  const facts = collectSourceFacts(projectDir, { layout });
  const sources = { dockerfile: facts.dockerfile, devScript: facts.devScript, cloudbuild: facts.cloudbuild };
  // A file the user named is never "absent": its absence is a finding.
  const absent = (Object.keys(sources) as Array<keyof typeof sources>).filter((key) => {
    if (key === "devScript")
      return !layout.devScript || (!layout.devScript.named && !existsSync(packageJsonPath));
    const file = layout[key];
    return !file || (!file.named && !existsSync(join(projectDir, file.path)));
  });
  const named = (Object.keys(sources) as Array<keyof typeof sources>).filter((key) => layout[key]?.named);
  return { ...sources, ...(facts.configured ? { configured: facts.configured } : {}), absent, named };
}
