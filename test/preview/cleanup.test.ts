import { describe, expect, it } from "vitest";
import { planCleanup } from "../../deploy/preview/cleanup-plan.js";
import { previewRows } from "../../deploy/preview/list.js";
import { LABEL, MANAGED_BY } from "../../deploy/preview/model.js";
import { previewId } from "../../deploy/preview/names.js";
import { runEchogate } from "../helpers/run-cli.js";
import { hostingEmulator } from "../hosting/fixtures.js";
import { hostingProject } from "../hosting/project.js";
import { fakePlatform, previewService } from "./fake-platform.js";

const DAY = 86_400_000;
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);

describe("planCleanup", () => {
  const rows = previewRows(
    [
      previewService("old", "feature/old", ago(10)),
      previewService("keep-me", "release/keep-me", ago(20)),
      previewService("fresh", "feature/fresh", ago(1)),
      { ...previewService("staging", "staging", ago(90)), name: "chat-staging" },
    ],
    [],
    now,
  );
  const base = {
    protect: ["release/keep-me"],
    environmentServices: ["chat-staging", "chat-production"],
    now,
  };

  it("deletes only previews older than the limit, never protected or environment services", () => {
    const plan = planCleanup(rows, { ...base, olderThanMs: 7 * DAY });
    expect(plan.remove.map((row) => row.id)).toEqual(["old"]);
    expect(Object.fromEntries(plan.keep.map(({ row, reason }) => [row.id, reason]))).toEqual({
      "keep-me": "protected (--protect)",
      fresh: "newer than --older-than",
      staging: "serves a non-preview environment",
    });
  });

  it("deletes one branch by its original name", () => {
    expect(planCleanup(rows, { ...base, branch: "feature/fresh" }).remove.map((row) => row.id)).toEqual([
      "fresh",
    ]);
    expect(planCleanup(rows, { ...base, branch: "release/keep-me" }).remove).toEqual([]);
    expect(previewId("feature/fresh")).not.toBe("fresh");
  });
});

describe("echogate preview cleanup", () => {
  async function setup(options: { failDelete?: string[] } = {}) {
    const { emulator, adapter } = await hostingEmulator();
    const platform = fakePlatform(
      [
        previewService("old-one", "feature/old-one", ago(10)),
        previewService("old-two", "feature/old-two", ago(9)),
        previewService("protected", "main-demo", ago(30)),
        previewService("fresh", "feature/fresh", ago(1)),
        { ...previewService("prod", "production", ago(100)), name: "chat-production" },
      ],
      options,
    );
    const labels = (id: string) => ({ [MANAGED_BY.key]: MANAGED_BY.value, [LABEL.preview]: id });
    for (const id of ["old-one", "old-two", "protected", "fresh"])
      await adapter.createChannel("chat-preview", id, { labels: labels(id), ttlSeconds: 30 * 86_400 });
    const cwd = await hostingProject();
    return { emulator, adapter, platform, cwd, env: { ECHOGATE_HOSTING_URL: emulator.url } };
  }

  it("refuses to delete without --yes when there is no terminal (exit 2), deleting nothing", async () => {
    const { platform, cwd, env } = await setup();
    const run = await runEchogate(["preview", "cleanup", "--older-than", "7d"], { cwd, env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--yes");
    expect(run.stderr).toContain("feature/old-one");
    expect(platform.deleted).toEqual([]);
  });

  it("says when the branch given has no preview (exit 0: closing a PR that never had one is fine)", async () => {
    const { platform, cwd, env } = await setup();
    const run = await runEchogate(["preview", "cleanup", "--branch", "feature/nope", "--yes"], { cwd, env });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("No preview for branch feature/nope");
    expect(platform.deleted).toEqual([]);
  });

  it("deletes old previews' services and channels, keeping protected ones and production", async () => {
    const { platform, adapter, cwd, env } = await setup();
    const run = await runEchogate(
      ["preview", "cleanup", "--older-than", "7d", "--protect", "main-demo", "--yes", "--json"],
      { cwd, env },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(platform.deleted.sort()).toEqual(["chat-preview-old-one", "chat-preview-old-two"]);
    const channels = (await adapter.listChannels("chat-preview"))
      .map((channel) => channel.name.split("/").at(-1))
      .sort();
    expect(channels).toEqual(["fresh", "live", "protected"]);
    expect(run.json<{ kept: { id: string; reason: string }[] }>().kept).toContainEqual({
      id: "prod",
      branch: "production",
      reason: "serves a non-preview environment",
    });
  });

  it("reports a partial failure (exit 3) and what remains; a re-run finishes it", async () => {
    const failing = ["chat-preview-old-two"];
    const { platform, cwd, env } = await setup({ failDelete: failing });
    const run = await runEchogate(["preview", "cleanup", "--older-than", "7d", "--yes", "--json"], {
      cwd,
      env,
    });
    expect(run.exitCode).toBe(3);
    expect(run.json<{ error: { details: { remaining: string[] } } }>().error.details.remaining).toEqual([
      "old-two",
    ]);
    failing.length = 0;
    const rerun = await runEchogate(["preview", "cleanup", "--older-than", "7d", "--yes"], { cwd, env });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(platform.deleted).toContain("chat-preview-old-two");
  });

  it("needs --older-than or --branch", async () => {
    const { cwd, env } = await setup();
    expect((await runEchogate(["preview", "cleanup", "--yes"], { cwd, env })).exitCode).toBe(2);
  });
});
