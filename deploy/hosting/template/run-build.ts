import { readdir, rm, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { CheckFailedError, ConfigError } from "../../core/errors.js";
import { runShellCommand } from "../../core/run-shell-command.js";
import { readSiteDir } from "../site-files.js";
import type { BuildFile } from "./substitute.js";

// Runs the front end's own build command (vite build, next build, …) with the public values in
// its environment, and reads what it wrote. A build that fails, hangs, writes nothing or writes
// outside its output directory is refused before anything is uploaded.

/** Never looked at for changes: dependencies, git, echogate's own state. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", ".echogate"]);
const OUTPUT_TAIL_BYTES = 4000;

export interface WebBuildInput {
  projectDir: string;
  command: string;
  timeoutS: number;
  /** Absolute output directory (hosting.publicDir) and how messages show it. */
  outDir: string;
  shownOutDir: string;
  /** The public values (or their placeholders) the build sees as environment variables. */
  vars: Readonly<Record<string, string>>;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Paths (relative to the project) the framework's build owns besides the output: its cache (`.next`). */
  buildCaches?: readonly string[];
  /** How the framework sets its output directory, for the hint (`output: "export" in next.config`). */
  outDirSetting?: string;
}

export async function runWebBuild(input: WebBuildInput): Promise<BuildFile[]> {
  const skipped = new Set((input.buildCaches ?? []).map((path) => join(input.projectDir, path)));
  const outsideBefore = await snapshot(input.projectDir, input.outDir, skipped);
  await rm(input.outDir, { recursive: true, force: true });
  const { code, timedOut, output } = await runCommand(input);
  if (timedOut)
    throw new CheckFailedError(
      "web.build-timeout",
      `Can't build the web front end: \`${input.command}\` did not finish in ${input.timeoutS} s and was stopped.${tail(output)}`,
      {
        hint: "Raise hosting.build.timeoutS, or make the build finish on its own (no watch or dev server mode). Nothing was uploaded.",
      },
    );
  if (code !== 0)
    throw new CheckFailedError(
      "web.build-failed",
      `Can't build the web front end: \`${input.command}\` exited with ${code}.${tail(output)}`,
      { hint: "Fix the build (run the command yourself to see all of its output). Nothing was uploaded." },
    );
  const outsideAfter = await snapshot(input.projectDir, input.outDir, skipped);
  const written = changedPaths(outsideBefore, outsideAfter);
  if (written.length > 0)
    throw new ConfigError(
      "web.build-outside",
      `Can't use the web build: \`${input.command}\` wrote outside ${input.shownOutDir}: ${written.slice(0, 5).join(", ")}${written.length > 5 ? ` and ${written.length - 5} more` : ""}.`,
      {
        hint: `Make the build write only into ${input.shownOutDir} (hosting.publicDir)${input.outDirSetting ? `: ${input.outDirSetting}` : ""}; what it wrote elsewhere could differ between environments unseen. Nothing was uploaded.`,
      },
    );
  const files = await readSiteDir(input.outDir, input.shownOutDir, input.projectDir);
  return files.map((file) => ({ path: file.path, content: file.content }));
}

async function runCommand(
  input: WebBuildInput,
): Promise<{ code: number | null; timedOut: boolean; output: string }> {
  try {
    const result = await runShellCommand(input.command, {
      cwd: input.projectDir,
      env: { ...input.env, ...input.vars },
      timeoutMs: input.timeoutS * 1000,
      tailBytes: OUTPUT_TAIL_BYTES,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    return { code: result.code, timedOut: result.timedOut, output: result.tail };
  } catch (error) {
    throw new ConfigError(
      "web.build-start",
      `Can't start the web build \`${input.command}\`: ${(error as Error).message}.`,
      { hint: "Check hosting.build.command in environments/<env>.yaml." },
    );
  }
}

function tail(output: string): string {
  const lines = output.trim().split("\n").slice(-12);
  return lines.length && lines[0] ? `\n  ${lines.join("\n  ")}` : "";
}

type Snapshot = Map<string, string>;

/** path → size:mtime of every file outside the output directory, skipped dirs and the framework's caches. */
async function snapshot(root: string, outDir: string, caches: ReadonlySet<string>): Promise<Snapshot> {
  const files: Snapshot = new Map();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || full === outDir || caches.has(full)) continue;
        await walk(full);
      } else if (entry.isFile() && !caches.has(full)) {
        const info = await stat(full).catch(() => undefined);
        if (info) files.set(relative(root, full).split(sep).join("/"), `${info.size}:${info.mtimeMs}`);
      }
    }
  };
  await walk(root);
  return files;
}

function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const changed: string[] = [];
  for (const [path, fingerprint] of after) if (before.get(path) !== fingerprint) changed.push(path);
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return changed.sort();
}
