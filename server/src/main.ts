import { ConfigError } from "./config.js";
import { createJsonLogger } from "./logger.js";
import { startServer } from "./start-server.js";

// Cloud Run sends SIGKILL 10 s after SIGTERM; this is the last line of defence.
const HARD_EXIT_MS = 9_500;

const log = createJsonLogger();

// No top-level await: the image bundles this file as CommonJS.
async function main(): Promise<void> {
  const server = await startServer({ logger: log });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log("INFO", "shutdown requested", { signal });
    setTimeout(() => {
      log.log("ERROR", "drain overran the shutdown budget; exiting");
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.log("ERROR", "Failed to shut down cleanly", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  const isConfig = error instanceof ConfigError;
  log.log("ERROR", isConfig ? error.message : `Failed to start: ${String(error)}`);
  process.exit(isConfig ? 2 : 1);
});
