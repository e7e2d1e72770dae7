import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { renderStatus } from "../../deploy/cli/handlers/status.js";
import type { EnvironmentStatus } from "../../deploy/promote/status.js";
import { promotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";
import { statusRow } from "../helpers/status-rows.js";

const style = pc.createColors(false);
const row = (split: EnvironmentStatus["split"]) => statusRow({ url: "http://127.0.0.1:1", split });
const entry = (revision: string, percent: number, gate: "passed" | "failed" | "none") => ({
  revision,
  percent,
  tags: [],
  viaLatest: false,
  gate,
});

describe("status table, INSTANCES column", () => {
  it("shows running instances per revision of the split, in traffic order", () => {
    const split = [entry("chat-new", 10, "passed"), entry("chat-good", 90, "passed")];
    const text = renderStatus([{ ...row(split), instances: { "chat-new": 1, "chat-good": 3 } }], style);
    expect(text).toMatch(/ 1m\s+1\/3\n/);
    expect(renderStatus([row(split)], style)).toMatch(/ 1m\s+—\n/);
  });

  it("names each region of a multi-region environment", () => {
    const split = [entry("chat-good", 100, "passed")];
    const text = renderStatus([row(split), { ...row(split), region: "europe-west1" }], style);
    expect(text).toContain("production/us-central1");
    expect(text).toContain("production/europe-west1");
  });
});

describe("status table, GATE column", () => {
  it("says passed when every revision with traffic passed its gate", () => {
    expect(renderStatus([row([entry("chat-good", 100, "passed")])], style)).toMatch(/ passed /);
  });

  it("flags the share of traffic going to a revision whose gate failed or never ran", () => {
    const text = renderStatus(
      [
        row([
          entry("chat-good", 60, "passed"),
          entry("chat-bad", 30, "failed"),
          entry("chat-hand", 10, "none"),
        ]),
      ],
      style,
    );
    expect(text).toMatch(/60%\/30%\/10%\s+40% ungated/);
  });

  it("says when the service is private (a first deploy whose gate did not pass)", () => {
    const failed = { ...row([entry("chat-good", 100, "failed")]), access: "private" as const };
    failed.gate = { result: "failed", at: "2026-11-23T10:00:00Z" };
    expect(renderStatus([failed], style)).toMatch(/ failed \(private\) /);
  });
});

describe("status <environment>", () => {
  it("exits 2 for an environment that does not exist, like deploy", async () => {
    const run = await runEchogate(["status", "nope"], { cwd: await promotionProject() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/nope/);
  });
});
