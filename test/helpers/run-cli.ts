import { PassThrough } from "node:stream";
import { runCli } from "../../deploy/cli/main.js";

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = unknown>(): T;
}

/** Runs echogate in-process with captured stdout/stderr, like a user would from `cwd`. */
export async function runEchogate(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk));
  stderr.on("data", (chunk: Buffer) => err.push(chunk));
  const exitCode = await runCli(argv, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdout,
    stderr,
    isTTY: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const stdoutText = Buffer.concat(out).toString("utf8");
  return {
    exitCode,
    stdout: stdoutText,
    stderr: Buffer.concat(err).toString("utf8"),
    json: <T>() => JSON.parse(stdoutText) as T,
  };
}
