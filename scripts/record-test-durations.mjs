#!/usr/bin/env node
// `node scripts/record-test-durations.mjs <report.json>... [checkout]`: writes each test file's
// seconds from vitest JSON reports (`npx vitest run --reporter=json --outputFile=<report.json>`, run
// in `checkout`, this one unless given) into test/helpers/file-durations.json, which orders a fresh
// clone's run longest first (test/helpers/longest-first.ts). Record full runs (npm test and
// npm run test:journeys, a report each): the files no report has are dropped.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const reportPaths = args.filter((arg) => arg.endsWith(".json"));
const root = args.find((arg) => !arg.endsWith(".json")) ?? here;
if (reportPaths.length === 0) {
  console.error("usage: node scripts/record-test-durations.mjs <vitest JSON report>... [checkout it ran in]");
  process.exit(2);
}
const seconds = reportPaths
  .flatMap((path) => JSON.parse(readFileSync(path, "utf8")).testResults)
  .map((file) => [relative(root, file.name), Math.round((file.endTime - file.startTime) / 100) / 10])
  .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
const out = fileURLToPath(new URL("../test/helpers/file-durations.json", import.meta.url));
writeFileSync(out, `${JSON.stringify(Object.fromEntries(seconds), null, 2)}\n`);
console.log(
  `${seconds.length} files, ${seconds.reduce((sum, [, s]) => sum + s, 0).toFixed(0)} s in all → ${relative(here, out)}`,
);
