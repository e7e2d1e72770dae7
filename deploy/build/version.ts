import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

export interface BuildVersion {
  /** `<package.json version>+<short sha>`, what /health must report. */
  version: string;
  gitSha: string;
  dirty: boolean;
}

/** Version = package.json version + short git sha (+ `.dirty` when the tree has uncommitted changes). */
export async function resolveBuildVersion(projectDir: string): Promise<BuildVersion> {
  const pkg = JSON.parse(await readFile(join(projectDir, "package.json"), "utf8")) as { version?: string };
  const base = pkg.version ?? "0.0.0";
  const git = await gitState(projectDir);
  if (!git) return { version: `${base}+nogit`, gitSha: "", dirty: false };
  return composeVersion(base, git.sha, git.dirty);
}

export function composeVersion(base: string, sha: string, dirty: boolean): BuildVersion {
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
