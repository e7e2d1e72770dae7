import { existsSync } from "node:fs";
import { join } from "node:path";
import { collectSourceFacts } from "../../source/collect-source-facts.js";
import type { SourceDriftFacts } from "../facts.js";

/** Dockerfile, dev script and cloudbuild.yaml entries, each with file and line. */
export function collectSourceDrift(projectDir: string): SourceDriftFacts {
  const facts = collectSourceFacts(projectDir);
  const sources = { dockerfile: facts.dockerfile, devScript: facts.devScript, cloudbuild: facts.cloudbuild };
  const absent = (Object.keys(sources) as Array<keyof typeof sources>).filter(
    (key) => !existsSync(join(projectDir, sources[key].file)),
  );
  return { ...sources, absent };
}
