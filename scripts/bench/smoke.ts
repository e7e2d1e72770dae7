/**
 * Smoke gate bench (run: npx tsx scripts/bench/smoke.ts [runs]).
 * Measures the gate as users run it, bundled by esbuild as dist/ is (scripts/build.mjs): under
 * tsx (esbuild's keepNames wrapper on every named closure the gate creates) the echo check's own
 * work costs ~1.4x what it costs bundled, which the hand-written loop it is compared with, a few
 * closures, barely pays.
 * The bundle holds smoke/measure.ts and the repository's code it imports; installed packages stay
 * external, so the gate and the hand-written loop share one socket.io-client.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Under node_modules, so that the bundle's imports of installed packages resolve from the repository.
const outfile = `${root}node_modules/.cache/echogate-bench/smoke.mjs`;

/** Installed packages stay imports; the workspace's own (@echogate/*, TypeScript sources) are bundled. */
const installedPackagesExternal: Plugin = {
  name: "installed-packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@echogate/") ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ["scripts/bench/smoke/measure.ts"],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  plugins: [installedPackagesExternal],
  logLevel: "warning",
});
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: "inherit" });
process.exitCode = run.status ?? 1;
