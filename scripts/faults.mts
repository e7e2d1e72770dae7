// `npm run faults [-- --trials N --seed S]`: the kill -9 loop of test/faults at scale (needs Redis on
// 127.0.0.1:6379 for the canary steps' backplane). Prints each trial, then trials / kills /
// violations / non-converged re-runs; exits 1 on any.
import { parseArgs } from "node:util";
import { runKillLoop } from "../test/faults/kill-loop.js";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "300" },
    seed: { type: "string" },
    quiet: { type: "boolean" },
  },
});
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    console.log(`${signal}: stopping after the trial in progress`);
    stop.abort();
  });
const report = await runKillLoop({
  signal: stop.signal,
  trials: Number(values.trials),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
  log: (line) => {
    if (!values.quiet || !line.startsWith("trial ")) console.log(line);
  },
});
for (const finding of [...report.violations, ...report.notConverged])
  console.log(
    `  ✖ trial ${finding.trial} ${finding.scenario} (killed at ${finding.killedAt ?? "—"}): ${finding.detail}`,
  );
console.log(
  `trials ${report.trials} · kills ${report.kills} · violations ${report.violations.length} · not converged ${report.notConverged.length} · exited before the kill ${report.exitedBeforeKill} · canary trials ${report.canaryTrials} (kills in a partial step ${report.canaryKills}) · ${(report.ms / 1000).toFixed(1)} s (${Math.round(report.ms / report.trials)} ms/trial)`,
);
console.log(`scenarios ${JSON.stringify(report.scenarios)}`);
console.log(`killed at ${JSON.stringify(report.killedAt)}`);
process.exitCode = report.violations.length + report.notConverged.length > 0 ? 1 : 0;
