import { useYamlValueCache, YamlValueCache } from "../config/yaml-value-cache.js";
import { codeCacheDir } from "../core/code-cache.js";
import { messageOf } from "../core/errors.js";
import { runCli } from "./main.js";

interface ProcessOptions {
  /** The identity of the built package (a hash of its bundles): config values parsed by it are cached. */
  buildId?: string;
}

/**
 * Runs the CLI as the process: wires signals to an AbortSignal (a second Ctrl-C exits at once) and
 * sets the exit code. The bundled launcher (launch.ts) and the source entry (entry.ts) call it.
 */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  options: ProcessOptions = {},
): Promise<void> {
  const cacheDir = codeCacheDir();
  if (options.buildId && cacheDir) {
    const cache = YamlValueCache.open(cacheDir, options.buildId);
    useYamlValueCache(cache);
    process.once("exit", () => cache.save());
  }

  const controller = new AbortController();
  let interrupts = 0;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      process.stderr.write(`\nReceived ${signal}: stopping safely (press Ctrl-C again to force)…\n`);
      controller.abort(new Error(`Interrupted by ${signal}`));
    });
  }

  // google-gax builds one stub promise per API method when a client starts and leaves the unused
  // ones unobserved: when credentials can't be loaded each of them rejects unhandled, and Node would
  // crash printing a line of the bundled client. The awaited call fails with the same error and is
  // reported as the command's error; any other unobserved rejection still fails the run.
  const unobserved: unknown[] = [];
  process.on("unhandledRejection", (reason) => {
    unobserved.push(reason);
  });

  let exitCode = await runCli(argv, { signal: controller.signal });
  const unexpected = unobserved.find((reason) => !isCredentialsRejection(reason));
  if (unexpected !== undefined && exitCode === 0) {
    const message = messageOf(unexpected).split("\n")[0];
    process.stderr.write(`error Failed unexpectedly after the command finished: ${message?.slice(0, 300)}\n`);
    exitCode = 3;
  }
  process.exitCode = exitCode;
  // A handle left open by a library must not keep CI waiting; well-behaved runs exit before this fires.
  setTimeout(() => process.exit(exitCode), 2000).unref();
}

function isCredentialsRejection(reason: unknown): boolean {
  return reason instanceof Error && /Could not load the default credentials/.test(reason.message);
}
