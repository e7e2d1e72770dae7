import { posix } from "node:path";
import type { LayoutSettings } from "../config/project-schema.js";
import { entryFromDevScript } from "./dev-script-entry.js";
import { normalizeEntry } from "./runner-entry.js";

/** A file the layout points at: named in environments/echogate.yaml, or found by detection. */
interface LayoutFile {
  path: string;
  /** True when the user named it: then a missing file is a finding, not an absent source. */
  named: boolean;
}

export interface ResolvedLayout {
  /** Directory of the server's package.json, relative to the project ("." for the root). */
  workingDir: string;
  /** workingDir/package.json (or package.json). */
  packageJson: string;
  serverEntry: string | undefined;
  devScript: { name: string; named: boolean } | undefined;
  dockerfile: LayoutFile | undefined;
  cloudbuild: LayoutFile | undefined;
}

/** Scripts tried, in order, when layout.devScript is not set. */
export const DEV_SCRIPT_CANDIDATES = [
  "dev",
  "start",
  "server",
  "dev:server",
  "start:server",
  "serve",
] as const;

const DOCKERFILE_NAME = /(^|\/)(Dockerfile(\.[\w.-]+)?|[\w.-]+\.Dockerfile)$/;
const CLOUDBUILD_NAME = /(^|\/)cloudbuild[\w.-]*\.ya?ml$/;

/**
 * Pure: the layout from the settings and what the project holds. `files` are posix paths relative
 * to the project (see listProjectFiles); `packageJsonText` is workingDir's package.json, if any.
 */
export function resolveLayout(
  settings: LayoutSettings,
  files: readonly string[],
  packageJsonText: string | undefined,
): ResolvedLayout {
  const workingDir = normalizeEntry(settings.workingDir) || ".";
  const inWorkingDir = (name: string) => (workingDir === "." ? name : posix.join(workingDir, name));
  return {
    workingDir,
    packageJson: inWorkingDir("package.json"),
    serverEntry: settings.serverEntry === undefined ? undefined : normalizeEntry(settings.serverEntry),
    devScript: resolveDevScript(settings.devScript, packageJsonText),
    dockerfile:
      settings.dockerfile !== undefined
        ? { path: normalizeEntry(settings.dockerfile), named: true }
        : detectDockerfile(files, workingDir),
    cloudbuild:
      settings.cloudbuild === false
        ? undefined
        : settings.cloudbuild !== undefined
          ? { path: normalizeEntry(settings.cloudbuild), named: true }
          : detectCloudbuild(files, workingDir),
  };
}

function resolveDevScript(
  setting: string | false | undefined,
  packageJsonText: string | undefined,
): ResolvedLayout["devScript"] {
  if (setting === false) return undefined;
  if (setting !== undefined) return { name: setting, named: true };
  if (packageJsonText === undefined) return undefined;
  const scripts = scriptsOf(packageJsonText);
  const present = DEV_SCRIPT_CANDIDATES.filter((name) => typeof scripts[name] === "string");
  // The first script that runs a server file; `dev` running a front end (`next dev`) is skipped.
  const runsServer = present.find((name) => entryFromDevScript(packageJsonText, "package.json", name).entry);
  const name = runsServer ?? present[0];
  return name === undefined ? undefined : { name, named: false };
}

export function scriptsOf(packageJsonText: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(packageJsonText) as { scripts?: unknown };
    return typeof parsed.scripts === "object" && parsed.scripts !== null
      ? (parsed.scripts as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Every Dockerfile-looking file, nearest the working directory first. */
export function dockerfileCandidates(files: readonly string[]): string[] {
  return files.filter((file) => DOCKERFILE_NAME.test(file) && !file.endsWith(".dockerignore"));
}

export function cloudbuildCandidates(files: readonly string[]): string[] {
  return files.filter((file) => CLOUDBUILD_NAME.test(file));
}

function detectDockerfile(files: readonly string[], workingDir: string): LayoutFile | undefined {
  const candidates = dockerfileCandidates(files);
  const dirs = workingDir === "." ? [""] : [`${workingDir}/`, ""];
  for (const dir of dirs) {
    for (const name of ["Dockerfile.minimal", "Dockerfile"]) {
      if (candidates.includes(`${dir}${name}`)) return { path: `${dir}${name}`, named: false };
    }
  }
  return candidates.length === 1 ? { path: candidates[0]!, named: false } : undefined;
}

function detectCloudbuild(files: readonly string[], workingDir: string): LayoutFile | undefined {
  const candidates = cloudbuildCandidates(files);
  const preferred = ["cloudbuild.yaml", "cloudbuild.yml"].flatMap((name) =>
    workingDir === "." ? [name] : [posix.join(workingDir, name), name],
  );
  const found = preferred.find((name) => candidates.includes(name));
  if (found) return { path: found, named: false };
  return candidates.length === 1 ? { path: candidates[0]!, named: false } : undefined;
}

/** A path inside workingDir expressed relative to the project. */
export function inWorkingDir(layout: Pick<ResolvedLayout, "workingDir">, path: string): string {
  return layout.workingDir === "."
    ? normalizeEntry(path)
    : normalizeEntry(posix.join(layout.workingDir, path));
}
