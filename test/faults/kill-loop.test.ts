import { expect, it } from "vitest";
import { runKillLoop } from "./kill-loop.js";

// A sample of the kill -9 loop; `npm run faults` runs 300 trials. Any seed must pass: the coverage
// check is what the trials did (kills happened, each counted at the step it landed on).
it("kill -9 at random points then a re-run: never public traffic on an ungated revision, and the re-run converges", async () => {
  const lines: string[] = [];
  const trials = Number(process.env.ECHOGATE_FAULT_TRIALS ?? 10);
  const report = await runKillLoop({
    trials,
    ...(process.env.ECHOGATE_FAULT_SEED ? { seed: Number(process.env.ECHOGATE_FAULT_SEED) } : {}),
    log: (line) => lines.push(line),
  });
  const context = `${lines.join("\n")}\n${JSON.stringify(report, null, 2)}`;
  expect(report.trials).toBe(trials);
  expect(report.kills, context).toBeGreaterThan(0);
  expect(Object.values(report.killedAt).reduce((a, b) => a + b, 0)).toBe(report.kills);
  expect(report.violations, context).toEqual([]);
  expect(report.notConverged, context).toEqual([]);
}, 600_000);
