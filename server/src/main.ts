import { BackplaneUnavailableError } from "./backplane/redis-backplane.js";
import { ConfigError } from "./config.js";
import { createJsonLogger } from "./logger.js";
import { startServer } from "./start-server.js";
import { StoreUnavailableError } from "./store/postgres-store.js";

// Cloud Run sends SIGKILL 10 s after SIGTERM; this is the last line of defence.
const HARD_EXIT_MS = 9_500;

const log = createJsonLogger();

// No top-level await: the image bundles this file as CommonJS.
async function main(): Promise<void> {
  const server = await startServer({ logger: log });
  const serverLog = server.log;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    serverLog.log("INFO", "shutdown requested", { signal });
    setTimeout(() => {
      serverLog.log("ERROR", "drain overran the shutdown budget; exiting");
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        serverLog.log("ERROR", "Failed to shut down cleanly", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  const isConfig = error instanceof ConfigError;
  const known =
    isConfig || error instanceof BackplaneUnavailableError || error instanceof StoreUnavailableError;
  log.log("ERROR", known ? error.message : `Failed to start: ${String(error)}`);
  process.exit(isConfig ? 2 : 1);
});
