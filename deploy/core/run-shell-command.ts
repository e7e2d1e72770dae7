import { spawn } from "node:child_process";

interface ShellCommandResult {
  /** Exit code; null when a signal ended it (a timeout, an abort). */
  code: number | null;
  timedOut: boolean;
  /** The first `maxStdoutBytes` of standard output. */
  stdout: string;
  /** Standard output went past `maxStdoutBytes`. */
  stdoutOverflow: boolean;
  /** The last `tailBytes` of standard output and error together, for messages. */
  tail: string;
}

interface ShellCommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxStdoutBytes?: number;
  tailBytes?: number;
  signal?: AbortSignal;
}

/**
 * A user's shell command in a process group of its own, stopped as a whole (SIGTERM, then SIGKILL
 * after 2 s) when it runs past `timeoutMs` or the signal aborts: a child it leaves behind (`sleep 100
 * &`, a watch mode) would otherwise hold the pipes open and the command would never end. Output is
 * bounded. Rejects only when the shell can't be started.
 */
export function runShellCommand(command: string, options: ShellCommandOptions): Promise<ShellCommandResult> {
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024;
  const tailBytes = options.tailBytes ?? 4000;
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stdoutOverflow = false;
    let tail = "";
    const keepTail = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-tailBytes);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      keepTail(chunk);
      if (stdoutBytes >= maxStdout) {
        stdoutOverflow = true;
        return;
      }
      stdout.push(chunk.subarray(0, maxStdout - stdoutBytes));
      stdoutOverflow ||= chunk.length > maxStdout - stdoutBytes;
      stdoutBytes += Math.min(chunk.length, maxStdout - stdoutBytes);
    });
    child.stderr.on("data", keepTail);
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stop = () => {
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), 2000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    options.signal?.addEventListener("abort", stop, { once: true });
    const settle = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
    };
    child.on("error", (error) => {
      settle();
      reject(error);
    });
    child.on("close", (code) => {
      settle();
      resolve({ code, timedOut, stdout: Buffer.concat(stdout).toString("utf8"), stdoutOverflow, tail });
    });
  });
}
