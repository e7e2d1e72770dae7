import { ConfigError } from "../core/errors.js";
import { readSourceText } from "../core/read-source-file.js";
import { entryFromDevScript } from "../source/dev-script-entry.js";
import { entryFromDockerfile } from "../source/dockerfile-entry.js";
import { inWorkingDir, type ResolvedLayout } from "../source/layout.js";
import { loadProjectLayout } from "../source/project-layout.js";

/**
 * The server entry the local build bundles: layout.serverEntry, else the one the layout's
 * Dockerfile bundles. It must be the one the dev script runs: building anything else would
 * recreate the seeds' outage (dev ran one file, production another).
 */
export async function resolveServerEntry(projectDir: string, given?: ResolvedLayout): Promise<string> {
  const layout = given ?? (await loadProjectLayout(projectDir));
  const entry = layout.serverEntry ?? (await dockerfileEntry(projectDir, layout));
  if (layout.devScript) {
    const devFact = entryFromDevScript(
      await readText(projectDir, layout.packageJson),
      layout.packageJson,
      layout.devScript.name,
    );
    const dev = devFact.entry === null ? null : inWorkingDir(layout, devFact.entry);
    if (dev && dev !== entry) {
      const source = layout.serverEntry ? "layout.serverEntry names" : `${layout.dockerfile?.path} builds`;
      throw new ConfigError(
        "build.entry-drift",
        `Can't build: ${source} ${entry} but \`npm run ${layout.devScript.name}\` runs ${dev}.`,
        {
          location: { file: devFact.file, ...(devFact.line ? { line: devFact.line } : {}) },
          hint: "Make both start the same server file (or set layout.devScript in environments/echogate.yaml); `echogate drift --source` shows every place.",
        },
      );
    }
  }
  return entry;
}

async function dockerfileEntry(projectDir: string, layout: ResolvedLayout): Promise<string> {
  const file = layout.dockerfile?.path;
  if (!file) {
    throw new ConfigError(
      "build.no-dockerfile",
      `Can't find the server's Dockerfile in ${projectDir}: no Dockerfile.minimal or Dockerfile, and layout.dockerfile is not set.`,
      {
        hint: "Set layout.dockerfile (or layout.serverEntry) in environments/echogate.yaml; `echogate init` detects both.",
      },
    );
  }
  const packageText = readSourceText(projectDir, layout.packageJson);
  const fact = entryFromDockerfile(
    await readText(projectDir, file),
    file,
    packageText !== undefined ? { text: packageText, file: layout.packageJson } : undefined,
    (contextPath) => readSourceText(projectDir, inWorkingDir(layout, contextPath)),
  );
  if (!fact.entry) {
    throw new ConfigError("build.no-entry", `Can't tell which server file ${file} builds: ${fact.detail}`, {
      location: { file, ...(fact.line ? { line: fact.line } : {}) },
      hint: "Bundle or COPY one server entry in the build stage and start it with CMD, or set layout.serverEntry in environments/echogate.yaml.",
    });
  }
  return inWorkingDir(layout, fact.entry);
}

async function readText(projectDir: string, file: string): Promise<string> {
  const text = readSourceText(projectDir, file);
  if (text !== undefined) return text;
  throw new ConfigError("build.missing-file", `Can't read ${file} in ${projectDir}: it doesn't exist.`, {
    hint: "echogate builds the server entry the layout names (environments/echogate.yaml); run from the project root or pass --cwd.",
  });
}
