import { ConfigError } from "./config.js";
import { createJsonLogger } from "./logger.js";
import { startServer } from "./start-server.js";

// Cloud Run sends SIGKILL 10 s after SIGTERM; this is the last line of defence.
const HARD_EXIT_MS = 9_500;

const log = createJsonLogger();

try {
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
        log.log("ERROR", "shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} catch (error) {
  const message = error instanceof ConfigError ? error.message : `Failed to start: ${String(error)}`;
  log.log("ERROR", message);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
