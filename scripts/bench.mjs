#!/usr/bin/env zx
// npm run bench [-- area ...]: runs scripts/bench/<area>.ts one after another
// (benchmarks share 2 cores, so never in parallel) and prints their figures.
import { readdir } from "node:fs/promises";
import { $, chalk } from "zx";

$.verbose = false;
const wanted = process.argv.slice(3).filter((arg) => !arg.startsWith("-"));
const areas = (await readdir(new URL("./bench/", import.meta.url)))
  .filter((name) => name.endsWith(".ts"))
  .map((name) => name.replace(/\.ts$/, ""))
  .filter((area) => wanted.length === 0 || wanted.includes(area))
  .sort();

let failed = 0;
for (const area of areas) {
  console.log(chalk.bold(`\n== bench: ${area}`));
  const started = performance.now();
  const result = await $({
    stdio: ["ignore", "inherit", "inherit"],
    nothrow: true,
  })`npx tsx scripts/bench/${area}.ts`;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.exitCode !== 0) {
    failed++;
    console.log(chalk.red(`bench ${area} failed (exit ${result.exitCode}) after ${seconds}s`));
  } else console.log(chalk.dim(`(${area}: ${seconds}s)`));
}
process.exitCode = failed ? 1 : 0;
