// The package's process entry (dist/echogate.js). The CLI itself is one CommonJS bundle beside it
// (dist/cli.cjs), compiled through V8's code cache: Node 20 caches no ES module's compiled code, and
// loading the CLI as ~60 ES module chunks cost more than the work of a `check`.
import { fileURLToPath } from "node:url";
import { loadCommonJs } from "../core/code-cache.js";
import { codeCacheVariant } from "./command-groups.js";

/** A hash of the bundles the build wrote (scripts/build.mjs defines it). */
declare const ECHOGATE_BUILD_ID: string;

const argv = process.argv.slice(2);
const cli = loadCommonJs(fileURLToPath(new URL("./cli.cjs", import.meta.url)), {
  variant: codeCacheVariant(argv),
  contentKeys: { "cli.cjs": ECHOGATE_BUILD_ID },
});
const { main } = cli.exports as typeof import("./process-main.js");
await main(argv, { buildId: ECHOGATE_BUILD_ID });
