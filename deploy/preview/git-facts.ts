import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", args, { cwd, timeout: 5000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** CI variables first (a PR checkout is a detached HEAD), then git. */
export async function currentBranch(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const fromCi = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.BRANCH_NAME;
  if (fromCi) return fromCi;
  const branch = await git(cwd, ["rev-parse", "--abbrev-ref", "HEAD"]);
  return branch === "HEAD" ? undefined : branch;
}

export async function currentCommit(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return env.GITHUB_SHA || env.COMMIT_SHA || (await git(cwd, ["rev-parse", "HEAD"]));
}

export function currentCreator(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_ACTOR || env.USER || env.USERNAME;
}
