import { projectSettingsSchema } from "../config/project-schema.js";
import { readSourceText } from "../core/read-source-file.js";
import { entryFromCloudbuild } from "./cloudbuild-entry.js";
import { entryFromDevScript } from "./dev-script-entry.js";
import { entryFromDockerfile } from "./dockerfile-entry.js";
import type { SourceFacts } from "./entry-comparison.js";
import type { EntryFact } from "./entry-fact.js";
import { inWorkingDir, type ResolvedLayout, resolveLayout } from "./layout.js";
import { listProjectFiles } from "./project-files.js";

interface CollectOptions {
  /** The resolved layout (environments/echogate.yaml + detection); detected from defaults when absent. */
  layout?: ResolvedLayout;
  /** Shorthands naming one file, as if set in the layout. */
  dockerfile?: string;
  cloudbuild?: string;
  devScript?: string;
}

function missing(file: string, what: string, setting?: string): EntryFact {
  return {
    entry: null,
    file,
    line: null,
    detail: `${file} doesn't exist, so ${what} is unknown${setting ? ` (${setting} names it)` : ""}.`,
    trace: [],
  };
}

/** The layout from defaults plus any shorthand option: what a project without echogate.yaml gets. */
export function detectedLayout(projectDir: string, options: CollectOptions = {}): ResolvedLayout {
  const settings = projectSettingsSchema.parse({}).layout;
  return resolveLayout(
    {
      ...settings,
      ...(options.dockerfile ? { dockerfile: options.dockerfile } : {}),
      ...(options.cloudbuild ? { cloudbuild: options.cloudbuild } : {}),
      ...(options.devScript ? { devScript: options.devScript } : {}),
    },
    listProjectFiles(projectDir),
    readSourceText(projectDir, "package.json"),
  );
}

/** Reads the layout's Dockerfile, package.json and Cloud Build file and reports the server entry each names. */
export function collectSourceFacts(projectDir: string, options: CollectOptions = {}): SourceFacts {
  const layout = options.layout ?? detectedLayout(projectDir, options);
  const read = (relativePath: string): string | undefined => readSourceText(projectDir, relativePath);
  const relativeToProject = (fact: EntryFact): EntryFact =>
    fact.entry === null ? fact : { ...fact, entry: inWorkingDir(layout, fact.entry) };

  const dockerfile = layout.dockerfile;
  const dockerText = dockerfile ? read(dockerfile.path) : undefined;
  const packageText = read(layout.packageJson);
  const cloudbuild = layout.cloudbuild;
  const cloudbuildText = cloudbuild ? read(cloudbuild.path) : undefined;
  const devScript = layout.devScript?.name ?? "dev";

  const facts: SourceFacts = {
    // The Dockerfile's COPY sources are relative to its build context: the working directory.
    dockerfile:
      dockerfile && dockerText !== undefined
        ? relativeToProject(
            entryFromDockerfile(
              dockerText,
              dockerfile.path,
              packageText !== undefined ? { text: packageText, file: layout.packageJson } : undefined,
              (contextPath) => read(inWorkingDir(layout, contextPath)),
            ),
          )
        : missing(
            dockerfile?.path ?? "Dockerfile",
            "the image's server entry",
            dockerfile?.named ? "layout.dockerfile" : undefined,
          ),
    devScript:
      packageText !== undefined
        ? relativeToProject(entryFromDevScript(packageText, layout.packageJson, devScript))
        : missing(layout.packageJson, "the dev server entry"),
    cloudbuild:
      cloudbuild && cloudbuildText !== undefined
        ? entryFromCloudbuild(cloudbuildText, read, cloudbuild.path)
        : missing(
            cloudbuild?.path ?? "cloudbuild.yaml",
            "what Cloud Build ships",
            cloudbuild?.named ? "layout.cloudbuild" : undefined,
          ),
  };
  if (layout.serverEntry !== undefined) {
    facts.configured = {
      entry: layout.serverEntry,
      file: "environments/echogate.yaml",
      line: null,
      detail: `layout.serverEntry names ${layout.serverEntry}.`,
      trace: [],
    };
  }
  return facts;
}
