import { runCli } from "./main.js";

/** Process entry: wires signals to an AbortSignal; a second Ctrl-C exits at once. */
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

const exitCode = await runCli(process.argv.slice(2), { signal: controller.signal });
process.exitCode = exitCode;
// A handle left open by a library must not keep CI waiting; well-behaved runs exit before this fires.
setTimeout(() => process.exit(exitCode), 2000).unref();
