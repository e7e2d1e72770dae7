import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import type { VersionSource } from "../config/project-schema.js";
import { ConfigError } from "../core/errors.js";

interface BuildVersion {
  /** `<package.json version>+<short sha>`, what /health must report. */
  version: string;
  gitSha: string;
  dirty: boolean;
}

/**
 * Version = the version source's base (package.json by default, or a file + pattern) + short git
 * sha (+ `.dirty` when the tree has uncommitted changes); a `command` source gives the whole version.
 * The source is `version:` in environments/echogate.yaml.
 */
export async function resolveBuildVersion(
  projectDir: string,
  source: VersionSource,
  /** Where the server's package.json is (layout.workingDir). */
  workingDir = ".",
): Promise<BuildVersion> {
  const git = await gitState(projectDir);
  if (source.from === "command") {
    const version = await versionFromCommand(projectDir, source.command);
    return { version, gitSha: git?.sha ?? "", dirty: git?.dirty ?? false };
  }
  const base =
    source.from === "file"
      ? await versionFromFile(projectDir, source.file, source.pattern)
      : await versionFromPackage(join(projectDir, workingDir, "package.json"));
  if (!git) return { version: `${base}+nogit`, gitSha: "", dirty: false };
  return composeVersion(base, git.sha, git.dirty);
}

async function versionFromPackage(path: string): Promise<string> {
  const pkg = JSON.parse(await readFile(path, "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

/** Pure: the first capture group of `pattern` in `text` (the whole match without one). */
export function matchVersion(text: string, pattern: string): string | undefined {
  const match = new RegExp(pattern, "m").exec(text);
  const value = (match?.[1] ?? match?.[0])?.trim();
  return value ? value : undefined;
}

async function versionFromFile(projectDir: string, file: string, pattern: string): Promise<string> {
  const where = { file: "environments/echogate.yaml", keyPath: "version.file" };
  let text: string;
  try {
    text = await readFile(join(projectDir, file), "utf8");
  } catch (error) {
    throw new ConfigError(
      "build.version-file",
      `Can't read the version file ${file}: ${(error as Error).message}`,
      {
        location: where,
        hint: "Fix version.file in environments/echogate.yaml (relative to the project).",
      },
    );
  }
  const version = matchVersion(text, pattern);
  if (!version) {
    throw new ConfigError(
      "build.version-pattern",
      `Can't find a version in ${file}: /${pattern}/ doesn't match.`,
      {
        location: { ...where, keyPath: "version.pattern" },
        hint: 'Make version.pattern\'s first capture group match the version, e.g. `version = "([^"]+)"`.',
      },
    );
  }
  return version;
}

async function versionFromCommand(projectDir: string, command: string): Promise<string> {
  const result = await execa(command, { cwd: projectDir, shell: true, reject: false, timeout: 30_000 });
  const version = result.stdout.trim().split("\n")[0]?.trim();
  if (result.exitCode !== 0 || !version) {
    throw new ConfigError(
      "build.version-command",
      `Can't get the version: \`${command}\` ${result.exitCode !== 0 ? `exited ${result.exitCode}` : "printed nothing"}.`,
      {
        location: { file: "environments/echogate.yaml", keyPath: "version.command" },
        hint: "Fix version.command in environments/echogate.yaml; it must print the version on stdout.",
      },
    );
  }
  return version;
}

function composeVersion(base: string, sha: string, dirty: boolean): BuildVersion {
  const short = sha.slice(0, 7);
  return { version: `${base}+${short}${dirty ? ".dirty" : ""}`, gitSha: sha, dirty };
}

async function gitState(projectDir: string): Promise<{ sha: string; dirty: boolean } | undefined> {
  const head = await execa("git", ["rev-parse", "HEAD"], { cwd: projectDir, reject: false });
  if (head.exitCode !== 0) return undefined;
  // Only tracked files count: .echogate/ state and untracked scratch files don't make a build dirty.
  const status = await execa("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd: projectDir,
    reject: false,
  });
  return { sha: head.stdout.trim(), dirty: status.exitCode === 0 && status.stdout.trim() !== "" };
}

/**
 * Two builds from different uncommitted changes share a git sha; the code's hash tells them
 * apart on /health (`1.4.0+3f2a9c1.dirty.5d41402`). Clean builds keep the plain version.
 */
export function withContentHash(version: BuildVersion, codeSha256: string): BuildVersion {
  return version.dirty ? { ...version, version: `${version.version}.${codeSha256.slice(0, 7)}` } : version;
}

/** A build with a demo fault baked in says so on /health, so it is never mistaken for the good one. */
export function withFault(version: BuildVersion, fault: string | undefined): BuildVersion {
  return fault ? { ...version, version: `${version.version}.fault-${fault}` } : version;
}
