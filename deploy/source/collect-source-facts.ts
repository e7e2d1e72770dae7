import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { entryFromCloudbuild } from "./cloudbuild-entry.js";
import { entryFromDevScript } from "./dev-script-entry.js";
import { entryFromDockerfile } from "./dockerfile-entry.js";
import type { EntryFact } from "./entry-fact.js";
import type { SourceFacts } from "./server-entry.js";

export interface CollectOptions {
  /** Dockerfile to read, relative to the project; default Dockerfile.minimal, else Dockerfile. */
  dockerfile?: string;
  cloudbuild?: string;
  /** package.json script a developer runs; default `dev`. */
  devScript?: string;
}

function missing(file: string, what: string): EntryFact {
  return {
    entry: null,
    file,
    line: null,
    detail: `${file} doesn't exist, so ${what} is unknown.`,
    trace: [],
  };
}

/** Reads the project's Dockerfile, package.json and cloudbuild.yaml and reports the server entry each names. */
export function collectSourceFacts(projectDir: string, options: CollectOptions = {}): SourceFacts {
  const read = (relativePath: string): string | undefined => {
    const path = join(projectDir, relativePath);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  };
  const dockerfileName =
    options.dockerfile ??
    ["Dockerfile.minimal", "Dockerfile"].find((name) => existsSync(join(projectDir, name)));
  const dockerText = dockerfileName === undefined ? undefined : read(dockerfileName);
  const packageText = read("package.json");
  const cloudbuildName = options.cloudbuild ?? "cloudbuild.yaml";
  const cloudbuildText = read(cloudbuildName);

  return {
    dockerfile:
      dockerfileName !== undefined && dockerText !== undefined
        ? entryFromDockerfile(dockerText, dockerfileName)
        : missing(dockerfileName ?? "Dockerfile", "the image's server entry"),
    devScript:
      packageText !== undefined
        ? entryFromDevScript(packageText, "package.json", options.devScript)
        : missing("package.json", "the dev server entry"),
    cloudbuild:
      cloudbuildText !== undefined
        ? entryFromCloudbuild(cloudbuildText, read, cloudbuildName)
        : missing(cloudbuildName, "what Cloud Build ships"),
  };
}
