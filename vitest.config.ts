import { defineConfig } from "vitest/config";
import LongestFirst from "./test/helpers/longest-first.js";

export default defineConfig({
  test: {
    // Builds dist/ once when missing or stale (bin/echogate.js would otherwise race to).
    globalSetup: ["test/helpers/build-dist.ts"],
    include: ["test/**/*.test.ts", "deploy/**/*.test.ts", "server/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Most files wait on processes and sockets, not on the CPU: two workers on a 2-core machine
    // halve the wall time (422 -> 240 s) where vitest's default would run one.
    maxWorkers: 2,
    // Longest files first, so neither worker is left alone with a long file at the end.
    sequence: { sequencer: LongestFirst },
  },
});
