import { expect, it } from "vitest";
import { runKillLoop } from "./kill-loop.js";

// A sample of the kill -9 loop (issue 12 item 3); `npm run faults` runs 300+ trials.
it("kill -9 at random points then a re-run: never public traffic on an ungated revision, and the re-run converges", async () => {
  const lines: string[] = [];
  const report = await runKillLoop({
    trials: Number(process.env.ECHOGATE_FAULT_TRIALS ?? 30),
    ...(process.env.ECHOGATE_FAULT_SEED ? { seed: Number(process.env.ECHOGATE_FAULT_SEED) } : {}),
    log: (line) => lines.push(line),
  });
  const context = `${lines.join("\n")}\n${JSON.stringify(report, null, 2)}`;
  expect(report.trials).toBeGreaterThanOrEqual(30);
  expect(report.kills, context).toBeGreaterThan(report.trials / 3);
  expect(report.violations, context).toEqual([]);
  expect(report.notConverged, context).toEqual([]);
}, 600_000);
