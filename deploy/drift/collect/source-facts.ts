import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { collectSourceFacts } from "../../source/collect-source-facts.js";
import type { SourceDriftFacts } from "../facts.js";

/** Dockerfile, dev script and cloudbuild.yaml entries, each with file and line. */
export function collectSourceDrift(projectDir: string): SourceDriftFacts {
  const facts = collectSourceFacts(projectDir);
  const sources = { dockerfile: facts.dockerfile, devScript: facts.devScript, cloudbuild: facts.cloudbuild };
  const absent = (Object.keys(sources) as Array<keyof typeof sources>).filter(
    (key) =>
      !existsSync(join(projectDir, sources[key].file)) ||
      (key === "devScript" && !hasDevScript(join(projectDir, sources[key].file))),
  );
  return { ...sources, absent };
}

/**
 * A package.json without a `dev` script is a project without a dev server (a choice, like having no
 * cloudbuild.yaml), not an entry drift can't read: one that exists but can't be traced still is.
 */
function hasDevScript(packageJson: string): boolean {
  try {
    const scripts = (JSON.parse(readFileSync(packageJson, "utf8")) as { scripts?: Record<string, unknown> })
      .scripts;
    return typeof scripts?.dev === "string";
  } catch {
    return true; // Unparseable: source-entry-known reports it.
  }
}
