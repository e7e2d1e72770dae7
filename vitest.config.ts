import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import LongestFirst from "./test/helpers/longest-first.js";
import { testKinds } from "./test/helpers/test-kinds.js";

const { unit, system, isolated, journey } = testKinds(fileURLToPath(new URL(".", import.meta.url)));

// Four projects (test/helpers/test-kinds.ts sorts the files and says why): `unit` (pure: no
// process, no socket), `system` (the CLI, the emulator, servers on loopback, the kill loop's
// 10-trial sample), `isolated` (system files that change process-wide state) and `journey` (whole
// journeys through outside toolchains, the kill -9 replays, the canary loop). `npm test` runs the
// first three; `npm run test:journeys` the journeys; CI runs both.
// Builds dist/ once when missing or stale (bin/echogate.js would otherwise race to).
const buildDist = ["test/helpers/build-dist.ts"];
// Runs what helpers registered with afterThisFile (test/helpers/after-file.ts) after each file.
const afterFile = "test/helpers/after-file-hook.ts";

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Most files wait on processes and sockets, not on the CPU: on a quiet 2-core machine two
    // workers leave about a quarter of it idle. npm test took 175 s with 2, 129 s with 3, 122 s with 4.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        // One worker process runs many files: each file no longer loads vitest and the modules
        // under test again (the unit run: 36 -> 10 s).
        test: {
          name: "unit",
          include: unit,
          isolate: false,
          setupFiles: ["test/helpers/unit-guard.ts", afterFile],
        },
      },
      {
        extends: true,
        test: {
          name: "system",
          include: system,
          isolate: false,
          globalSetup: buildDist,
          setupFiles: [afterFile],
        },
      },
      {
        extends: true,
        test: { name: "isolated", include: isolated, globalSetup: buildDist, setupFiles: [afterFile] },
      },
      {
        extends: true,
        test: { name: "journey", include: journey, globalSetup: buildDist, setupFiles: [afterFile] },
      },
    ],
    // Longest files first, so neither worker is left alone with a long file at the end.
    sequence: { sequencer: LongestFirst },
  },
});
