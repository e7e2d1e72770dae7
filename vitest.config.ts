import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import LongestFirst from "./test/helpers/longest-first.js";
import { testKinds } from "./test/helpers/test-kinds.js";

const { unit } = testKinds(fileURLToPath(new URL(".", import.meta.url)));

// Two projects: `unit` (pure: no process, no socket; `npx vitest run --project unit`) and `system`
// (everything else: the CLI, the emulator, servers on loopback). `npm test` runs both.
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Most files wait on processes and sockets, not on the CPU: two workers on a 2-core machine
    // halve the wall time (422 -> 240 s) where vitest's default would run one.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: unit, setupFiles: ["test/helpers/unit-guard.ts"] },
      },
      {
        extends: true,
        test: {
          name: "system",
          include: ["test/**/*.test.ts", "deploy/**/*.test.ts", "server/**/*.test.ts"],
          exclude: [...unit, "**/node_modules/**"],
          // Builds dist/ once when missing or stale (bin/echogate.js would otherwise race to).
          globalSetup: ["test/helpers/build-dist.ts"],
        },
      },
    ],
    // Longest files first, so neither worker is left alone with a long file at the end.
    sequence: { sequencer: LongestFirst },
  },
});
