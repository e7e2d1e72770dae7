// Runs the CLI from source (`tsx deploy/cli/entry.ts …`); the package runs dist/echogate.js (launch.ts).
import { main } from "./process-main.js";

await main();
