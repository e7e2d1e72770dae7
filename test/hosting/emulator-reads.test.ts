import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { emulatorDirs } from "@echogate/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { ensureChannel, LIVE_CHANNEL, uploadVersion } from "../../deploy/hosting/publish.js";
import { siteFile } from "../../deploy/hosting/site-files.js";
import { connectHosting, EMULATOR_INFO_FILE } from "../../deploy/platform/hosting/connect.js";
import { createSites } from "../../deploy/platform/hosting/local-sites.js";
import { startTestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { echogate, webPromotionProject } from "../helpers/project.js";
import { testdir } from "../helpers/testdir.js";
import { hostingEmulator } from "./fixtures.js";

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

async function sitesOnDisk(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, "state.json"), "utf8").catch(() => '{"sites":{}}');
  return Object.keys((JSON.parse(text) as { sites: Record<string, unknown> }).sites);
}

describe("hosting emulator reads", () => {
  it("answers NOT_FOUND for an unknown site's channels and creates nothing", async () => {
    const { emulator, adapter, dir } = await hostingEmulator({ sites: [] });
    for (const path of ["sites/qa-ghost-site/channels/live", "sites/qa-ghost-site/channels"]) {
      const response = await fetch(`${emulator.url}/v1beta1/${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: { code: 404, status: "NOT_FOUND", message: expect.stringContaining("sites/qa-ghost-site") },
      });
    }
    expect(await adapter.getChannel("qa-ghost-site", "pr-1")).toBeUndefined();
    expect(emulator.channelUrl("qa-ghost-site", LIVE_CHANNEL)).toBeUndefined();
    await emulator.close();
    expect(await sitesOnDisk(dir)).toEqual([]);
  });

  it("refuses writes to a site nobody created (404, nothing created); a created site has its live channel", async () => {
    const { adapter, dir } = await hostingEmulator({ sites: [] });
    const files = [siteFile("/index.html", Buffer.from("hi"))];
    await expect(uploadVersion(adapter, "fresh", files, { labels: {} })).rejects.toThrow(/HTTP 404/);
    await expect(adapter.createChannel("fresh", "pr-1", { labels: {} })).rejects.toThrow(/HTTP 404/);
    expect(await sitesOnDisk(dir)).toEqual([]);
    await createSites(adapter.api.baseUrl, [{ site: "fresh", project: "demo" }]);
    await uploadVersion(adapter, "fresh", files, { labels: {} });
    expect((await adapter.getChannel("fresh", LIVE_CHANNEL))?.name).toBe("sites/fresh/channels/live");
    expect(await adapter.getChannel("fresh", "pr-1")).toBeUndefined();
    expect(await sitesOnDisk(dir)).toEqual(["fresh"]);
  });

  it("a created site's live channel answers ensureChannel before the first deploy (the web origin)", async () => {
    const { adapter, emulator } = await hostingEmulator({ sites: ["brand-new"] });
    const live = await ensureChannel(adapter, { site: "brand-new", channel: LIVE_CHANNEL });
    expect(live.name).toBe("sites/brand-new/channels/live");
    expect(live.url ?? emulator.channelUrl("brand-new", LIVE_CHANNEL)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(adapter.createChannel("brand-new", LIVE_CHANNEL, { labels: {} })).rejects.toThrow(
      /already exists/,
    );
  });

  it("the CLI's liveness probe of a running emulator leaves no site behind", async () => {
    const projectDir = await testdir({});
    const dir = emulatorDirs(projectDir).hosting;
    const { emulator } = await hostingEmulator({ dir, sites: [] });
    await writeFile(join(dir, EMULATOR_INFO_FILE), JSON.stringify({ url: emulator.url }));
    const connection = await connectHosting(
      projectDir,
      { provider: "local", site: "chat-staging", channel: LIVE_CHANNEL, publicDir: "web/public" },
      { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9" },
    );
    expect(connection.adapter.api.baseUrl).toBe(emulator.url);
    expect(emulator.stats.requests).toBe(1);
    await connection.close();
    await emulator.close();
    expect(await sitesOnDisk(dir)).toEqual([]);
  });

  it("promote production --dry-run changes no hosting state", async () => {
    const cwd = await webPromotionProject();
    const cloudRun = await startTestEmulator(cwd);
    closers.push(() => cloudRun.close());
    const dir = emulatorDirs(cwd).hosting;
    const { emulator } = await hostingEmulator({ dir });
    const run = (...argv: string[]) =>
      echogate(cwd, { ...cloudRun.env, ECHOGATE_HOSTING_URL: emulator.url }, ...argv);
    const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
    expect((await run("deploy", "staging", "--image", image.digest)).exitCode).toBe(0);
    const staged = await run("web", "deploy", "staging");
    expect(staged.exitCode, staged.stderr).toBe(0);
    const before = await readFile(join(dir, "state.json"), "utf8");

    const dry = await run("promote", "production", "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(await readFile(join(dir, "state.json"), "utf8")).toBe(before);
    const production = await fetch(`${emulator.url}/v1beta1/sites/echogate-chat-production/channels/live`);
    expect(production.status).toBe(200);
    expect(((await production.json()) as { release?: unknown }).release).toBeUndefined();
  });
});
