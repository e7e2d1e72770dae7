import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PreviewRow } from "../../deploy/preview/model.js";
import { previewId } from "../../deploy/preview/names.js";
import { runEchogate } from "../helpers/run-cli.js";
import { getText, hostingEmulator, realtimeServer } from "../hosting/fixtures.js";
import { hostingProject } from "../hosting/project.js";
import { fakePlatform, previewService } from "./fake-platform.js";

const BRANCH = "feature/Login-Flow_v2";

describe("echogate preview deploy and list", () => {
  it("deploys a gated web channel for a branch with a TTL, prints a PR comment, and lists it", async () => {
    const { emulator, adapter } = await hostingEmulator();
    const server = await realtimeServer();
    fakePlatform([previewService("older", "feature/older", new Date(Date.now() - 3 * 86_400_000))]);
    const cwd = await hostingProject();
    const env = { ECHOGATE_HOSTING_URL: emulator.url, GITHUB_SHA: "abc1234def", GITHUB_ACTOR: "Octo Cat" };
    const run = await runEchogate(
      ["preview", "deploy", "--branch", BRANCH, "--server-url", server.url, "--ttl", "3d", "--markdown"],
      { cwd, env },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const id = previewId(BRANCH);
    // stdout is the PR comment alone, ready for `> comment.md`; the summary is on stderr.
    expect(run.stdout.startsWith(`### Preview for \`${BRANCH}\``)).toBe(true);
    expect(run.stdout).not.toContain(`Preview ${id} for`);
    expect(run.stderr).toContain(`Preview ${id} for ${BRANCH}`);
    const channel = await adapter.getChannel("chat-preview", id);
    expect(channel?.labels).toMatchObject({
      "managed-by": "echogate",
      "echogate-preview": id,
      "echogate-commit": "abc1234def",
      "echogate-creator": "octo-cat",
    });
    expect(Date.parse(channel!.expireTime!) - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);
    expect(JSON.parse((await getText(`${channel!.url}/echogate.json`)).text).environment).toBe("preview");

    const list = await runEchogate(["preview", "list", "--json"], { cwd, env });
    expect(list.exitCode, list.stderr).toBe(0);
    const rows = list.json<{ previews: PreviewRow[] }>().previews;
    expect(rows.map((row) => row.id).sort()).toEqual([id, "older"].sort());
    expect(rows.find((row) => row.id === "older")).toMatchObject({
      branch: "feature/older",
      gate: "passed",
      version: "0.1.0+abc1234",
    });
    expect(rows.find((row) => row.id === id)?.webUrl).toBe(channel?.url);

    const table = await runEchogate(["preview", "list"], { cwd, env });
    expect(table.stdout.split("\n")[0]).toMatch(
      /^BRANCH\s+SERVICE\s+WEB URL\s+VERSION\s+GATE\s+AGE\s+EXPIRES$/,
    );
  });

  it("lists no previews (exit 0) on a site nothing was ever deployed to", async () => {
    const { emulator } = await hostingEmulator();
    fakePlatform([]);
    const cwd = await hostingProject();
    const list = await runEchogate(["preview", "list", "--json"], {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.json<{ previews: PreviewRow[] }>().previews).toEqual([]);
  });

  it("refuses a branch whose preview service would be another environment's service (exit 2)", async () => {
    const { emulator } = await hostingEmulator();
    fakePlatform([]);
    const base = await hostingProject();
    const previewYaml = join(base, "environments/preview.yaml");
    await writeFile(
      previewYaml,
      (await readFile(previewYaml, "utf8")).replace("name: chat-preview", "name: chat"),
    );
    const run = await runEchogate(
      ["preview", "deploy", "--branch", "staging", "--server-url", "http://127.0.0.1:9"],
      {
        cwd: base,
        env: { ECHOGATE_HOSTING_URL: emulator.url },
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("chat-staging is staging's service");
  });

  it("turns a channel quota 429 into a message that suggests preview cleanup (exit 3)", async () => {
    const { emulator, adapter } = await hostingEmulator({ channelQuota: 1 });
    await adapter.createChannel("chat-preview", "someone", { labels: {} });
    const server = await realtimeServer();
    fakePlatform([]);
    const run = await runEchogate(
      ["preview", "deploy", "--branch", "feature/x", "--server-url", server.url],
      { cwd: await hostingProject(), env: { ECHOGATE_HOSTING_URL: emulator.url } },
    );
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("channel quota reached");
    expect(run.stderr).toContain("echogate preview cleanup --older-than 7d");
  });

  it("refuses a bad --ttl and an empty branch with exit 2", async () => {
    const cwd = await hostingProject();
    expect(
      (await runEchogate(["preview", "deploy", "--branch", "x", "--ttl", "45d"], { cwd })).exitCode,
    ).toBe(2);
    expect(
      (
        await runEchogate(["preview", "deploy", "--branch", "", "--server-url", "http://127.0.0.1:9"], {
          cwd,
          env: { GITHUB_HEAD_REF: "" },
        })
      ).exitCode,
    ).toBe(2);
  });
});
