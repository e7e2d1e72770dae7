import { join } from "node:path";
import vm from "node:vm";
import { execa } from "execa";
import type { VersionSource } from "../config/project-schema.js";
import { ConfigError } from "../core/errors.js";
import { readSourceText } from "../core/read-source-file.js";
import { runShellCommand } from "../core/run-shell-command.js";

interface BuildVersion {
  /** `<package.json version>+<short sha>`, what /health must report. */
  version: string;
  gitSha: string;
  dirty: boolean;
  /** The source gave the whole version (`version.from: command`): nothing is appended to it. */
  whole?: true;
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
    return { version, gitSha: git?.sha ?? "", dirty: git?.dirty ?? false, whole: true };
  }
  const base =
    source.from === "file"
      ? await versionFromFile(projectDir, source.file, source.pattern)
      : versionFromPackage(projectDir, join(workingDir, "package.json"));
  if (!git) return { version: `${base}+nogit`, gitSha: "", dirty: false };
  return composeVersion(base, git.sha, git.dirty);
}

/** What a version may look like: it goes into /health, labels and file names. */
const VERSION_SHAPE = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,127}$/;

/** Why `version` can't be used as a version, or undefined when it can. Pure. */
export function versionProblem(version: unknown): string | undefined {
  if (typeof version !== "string") return `it is ${version === null ? "null" : typeof version}, not a string`;
  if (version === "") return "it is empty";
  if (version.length > 128) return `it is ${version.length} characters long (at most 128)`;
  if (!VERSION_SHAPE.test(version))
    return `${JSON.stringify(version)} holds characters other than letters, digits, '.', '+', '_' and '-'`;
  return undefined;
}

function versionFromPackage(projectDir: string, file: string): string {
  const where = { file, keyPath: "version" };
  const text = readSourceText(projectDir, file);
  if (text === undefined)
    throw new ConfigError("build.no-package-json", `Can't find the version: ${file} doesn't exist.`, {
      location: { file },
      hint: "Set layout.workingDir in environments/echogate.yaml to the server's directory, or version.from: file|command.",
    });
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("build.package-json", `Can't read ${file}: ${(error as Error).message}.`, {
      location: { file },
      hint: `Fix ${file}: it must be valid JSON.`,
    });
  }
  const version =
    pkg !== null && typeof pkg === "object" ? (pkg as { version?: unknown }).version : undefined;
  if (version === undefined) return "0.0.0";
  const problem = versionProblem(version);
  if (problem)
    throw new ConfigError("build.package-version", `Can't use ${file}'s version: ${problem}.`, {
      location: where,
      hint: 'Give package.json a version such as "1.4.0".',
    });
  return version as string;
}

/** A user's pattern never runs longer than this: a catastrophic one is refused, not waited for. */
const PATTERN_TIMEOUT_MS = 1_000;

/**
 * The first capture group of `pattern` in `text` (the whole match without one). The match runs
 * under a time limit: JavaScript regular expressions backtrack, and `^(a+)+$` on a long line never
 * ends. Throws a ConfigError at version.pattern when it is invalid or runs too long.
 */
export function matchVersion(text: string, pattern: string): string | undefined {
  const where = { file: "environments/echogate.yaml", keyPath: "version.pattern" };
  let match: RegExpExecArray | null;
  try {
    match = vm.runInNewContext(
      "new RegExp(pattern, 'm').exec(text)",
      { pattern, text },
      {
        timeout: PATTERN_TIMEOUT_MS,
      },
    ) as RegExpExecArray | null;
  } catch (error) {
    const timedOut = (error as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
    throw new ConfigError(
      "build.version-pattern",
      timedOut
        ? `Can't use version.pattern /${pattern}/: matching it ran longer than ${PATTERN_TIMEOUT_MS} ms (nested repetition backtracks without end).`
        : `Can't use version.pattern /${pattern}/: ${(error as Error).message}.`,
      {
        location: where,
        hint: 'Use a simple pattern whose first capture group is the version, e.g. `version = "([^"]+)"`.',
      },
    );
  }
  const value = (match?.[1] ?? match?.[0])?.trim();
  return value ? value : undefined;
}

async function versionFromFile(projectDir: string, file: string, pattern: string): Promise<string> {
  const where = { file: "environments/echogate.yaml", keyPath: "version.file" };
  const text = readSourceText(projectDir, file);
  if (text === undefined) {
    throw new ConfigError("build.version-file", `Can't read the version file ${file}: it doesn't exist.`, {
      location: where,
      hint: "Fix version.file in environments/echogate.yaml (relative to the project).",
    });
  }
  const version = matchVersion(text, pattern);
  const problem = version === undefined ? undefined : versionProblem(version);
  if (problem)
    throw new ConfigError(
      "build.version-pattern",
      `Can't use the version /${pattern}/ finds in ${file}: ${problem}.`,
      {
        location: { ...where, keyPath: "version.pattern" },
        hint: "Make version.pattern's first capture group match the version alone.",
      },
    );
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

const VERSION_COMMAND_TIMEOUT_MS = 30_000;

async function versionFromCommand(projectDir: string, command: string): Promise<string> {
  const where = { file: "environments/echogate.yaml", keyPath: "version.command" };
  const result = await runShellCommand(command, {
    cwd: projectDir,
    env: process.env,
    timeoutMs: VERSION_COMMAND_TIMEOUT_MS,
    maxStdoutBytes: 64 * 1024,
  }).catch((error: Error) => {
    throw new ConfigError("build.version-command", `Can't run \`${command}\`: ${error.message}.`, {
      location: where,
    });
  });
  const version = result.stdout.trim().split("\n")[0]?.trim() ?? "";
  const problem = version ? versionProblem(version) : undefined;
  const failure = result.timedOut
    ? `ran longer than ${VERSION_COMMAND_TIMEOUT_MS / 1000} s and was stopped`
    : result.stdoutOverflow
      ? "printed more than 64 KB"
      : result.code !== 0
        ? `exited ${result.code ?? "on a signal"}`
        : !version
          ? "printed nothing"
          : problem && `printed a first line that is not a version: ${problem}`;
  if (failure) {
    throw new ConfigError("build.version-command", `Can't get the version: \`${command}\` ${failure}.`, {
      location: where,
      hint: "Fix version.command in environments/echogate.yaml; it must print the version on stdout.",
    });
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
 * apart on /health (`1.4.0+3f2a9c1.dirty.5d41402`). Clean builds keep the plain version, and so
 * does a version `version.command` printed: the docs promise it is used whole.
 */
export function withContentHash(version: BuildVersion, codeSha256: string): BuildVersion {
  return version.dirty && !version.whole
    ? { ...version, version: `${version.version}.${codeSha256.slice(0, 7)}` }
    : version;
}

/** A build with a demo fault baked in says so on /health, so it is never mistaken for the good one. */
export function withFault(version: BuildVersion, fault: string | undefined): BuildVersion {
  return fault ? { ...version, version: `${version.version}.fault-${fault}` } : version;
}
