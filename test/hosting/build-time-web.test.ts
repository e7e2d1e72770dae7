import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostingEmulator } from "@echogate/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { readWebPairs } from "../../deploy/hosting/web-pairs.js";
import { openAdapter } from "../../deploy/platform/cloudrun/open-adapter.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { echogate } from "../helpers/project.js";
import { getText, hostingEmulator } from "./fixtures.js";
import { VITE_SITES, viteProject, webMode } from "./vite-project.js";

const emulators: TestEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((emulator) => emulator.close()));
});

interface WebJson {
  url: string;
  version: string;
  mode: string;
  webDigest?: string;
  pairedRevision?: string;
}
interface PromoteJson {
  outcome: { revision: string; url: string };
  web?: WebJson & { webDigest?: string };
}
interface ErrorJson {
  error: { code: string; message: string; hint?: string };
}

/** A Vite project on fresh emulators with staging's server deployed; `web` deploys staging's web. */
async function viteStaging(edit: (files: Record<string, string>) => void = () => {}) {
  const cwd = await viteProject(edit);
  const cloudRun = await startTestEmulator(cwd);
  emulators.push(cloudRun);
  const { emulator: hosting } = await hostingEmulator({
    dir: join(cwd, ".echogate", "hosting"),
    sites: VITE_SITES,
  });
  const env = { ...cloudRun.env, ECHOGATE_HOSTING_URL: hosting.url };
  const run = (...argv: string[]) => echogate(cwd, env, ...argv);
  const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
  const deployed = await run("deploy", "staging", "--image", image.digest, "--json");
  expect(deployed.exitCode, deployed.stderr).toBe(0);
  const stagingServer = deployed.json<{ outcome: { url: string } }>().outcome.url;
  return { cwd, run, cloudRun, hosting, stagingServer };
}

async function assetNames(hosting: HostingEmulator, site: string): Promise<string[]> {
  const html = (await getText(`${hosting.channelUrl(site, "live")}/`)).text;
  return [...html.matchAll(/\/assets\/[\w.-]+\.js/g)].map((m) => m[0]).sort();
}

async function bundleText(hosting: HostingEmulator, site: string): Promise<string> {
  const base = hosting.channelUrl(site, "live")!;
  const names = await assetNames(hosting, site);
  const texts = await Promise.all(names.map(async (name) => (await getText(`${base}${name}`)).text));
  return texts.join("\n");
}

describe("template mode with a real Vite build", () => {
  it("builds once; production gets the template digest staging's pair gate passed, with its own values", async () => {
    const { run, cloudRun, hosting } = await viteStaging();
    const staged = await run("web", "deploy", "staging", "--json");
    expect(staged.exitCode, staged.stderr).toBe(0);
    const stagingWeb = staged.json<WebJson>();
    expect(stagingWeb).toMatchObject({
      mode: "template",
      webDigest: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(staged.stderr).toContain("build the template");

    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const { outcome, web } = promoted.json<PromoteJson>();
    expect(web).toMatchObject({
      mode: "template",
      webDigest: stagingWeb.webDigest,
      pairedRevision: outcome.revision,
    });
    // No second build: the template came from the store.
    expect(promoted.stderr).not.toContain("build the template");

    // The digest staging's pair gate passed is recorded on staging's service, and production's on its own.
    const adapter = openAdapter(
      { kind: "emulator", apiEndpoint: cloudRun.emulator.apiEndpoint },
      { project: "vite-demo", region: "us-central1" },
    );
    try {
      for (const service of ["vite-chat-staging", "vite-chat-production"]) {
        const pairs = readWebPairs((await adapter.getService(service))!.snapshot.annotations);
        expect(pairs.at(-1)?.digest, service).toBe(stagingWeb.webDigest);
      }
    } finally {
      await adapter.close();
    }

    // Same content-hashed file names; each bundle carries its own server and name, nothing else.
    expect(await assetNames(hosting, "vite-chat-production")).toEqual(
      await assetNames(hosting, "vite-chat-staging"),
    );
    const staging = await bundleText(hosting, "vite-chat-staging");
    const production = await bundleText(hosting, "vite-chat-production");
    const prodWs = outcome.url.replace(/^http/, "ws");
    expect(production).toContain(`\`${prodWs}\``);
    expect(production).toContain("`Chat`");
    expect(production).not.toContain("__ECHOGATE_");
    expect(staging).toContain("`Chat (staging)`");
    expect(staging).not.toContain(prodWs);

    const status = await run("status", "--json");
    const rows = status.json<{ environments: { environment: string; web: { paired: boolean } | null }[] }>();
    expect(rows.environments.map((row) => [row.environment, row.web?.paired])).toEqual([
      ["production", true],
      ["staging", true],
    ]);
  }, 90_000);

  it("refuses staging's URLs (Cloud Run shapes, live emulator loopback) baked into production's build, before upload", async () => {
    const stagingHost = "vite-chat-staging-hfttiarlja-uc.a.run.app";
    const { cwd, run, hosting, stagingServer } = await viteStaging();
    const loopback = new URL(stagingServer).host;
    const main = join(cwd, "src", "main.js");
    await writeFile(
      main,
      `${await readFile(main, "utf8")}globalThis.fallbackServers = ["wss://${stagingHost}", "wss://vite-chat-staging-123456789012.us-central1.run.app", "ws://${loopback}"];\n`,
    );
    // Staging's own server in staging's build is what a build-time front end does.
    const staged = await run("web", "deploy", "staging");
    expect(staged.exitCode, staged.stderr).toBe(0);
    // The first promotion creates production's service (its URL is unknown before): the web step
    // after it refuses, exit 1, and production's web channel gets nothing.
    hosting.resetStats();
    const first = await run("promote", "production", "--json");
    expect(first.exitCode).toBe(1);
    expect(first.json<ErrorJson>().error.code).toBe("promote.web-failed");
    expect(hosting.stats.byRoute["versions.create"]).toBeUndefined();

    // With production's server known, the next promotion is refused before anything moves.
    const v2 = await makeImage(cwd, { version: "0.1.1+bbbbbbb" });
    expect((await run("deploy", "staging", "--image", v2.digest)).exitCode).toBe(0);
    hosting.resetStats();
    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode).toBe(1);
    const error = promoted.json<ErrorJson>().error;
    expect(error.code).toBe("promote.web-cannot-follow");
    expect(error.message).toContain("Nothing was changed");
    expect(error.message).toMatch(
      new RegExp(
        `/assets/index-[\\w-]+\\.js:\\d+:\\d+ \\(byte \\d+\\): contains staging's server \\(Cloud Run service vite-chat-staging\\) "${stagingHost}"`,
      ),
    );
    expect(error.message).toContain("vite-chat-staging-123456789012.us-central1.run.app");
    expect(error.message).toContain(`contains staging's live server "${loopback}"`);
    expect(hosting.stats.byRoute["versions.create"]).toBeUndefined();
    expect((await getText(`${hosting.channelUrl("vite-chat-production", "live")}/`)).status).toBe(404);
    const status = await run("status", "production", "--json");
    expect(status.json<{ environments: { version: string }[] }>().environments[0]!.version).toBe(
      "0.1.0+aaaaaaa",
    );

    const upload = await run("web", "deploy", "production", "--upload");
    expect(upload.exitCode).toBe(1);
    expect(upload.stderr).toContain(
      `contains staging's server (Cloud Run service vite-chat-staging) "${stagingHost}"`,
    );
    expect(hosting.stats.byRoute["versions.create"]).toBeUndefined();
  }, 90_000);
});

describe("rebuild mode", () => {
  it("passes a deterministic rebuild and refuses one from a different commit, naming file and byte", async () => {
    const { cwd, run } = await viteStaging(webMode("rebuild"));
    const staged = await run("web", "deploy", "staging", "--json");
    expect(staged.exitCode, staged.stderr).toBe(0);
    expect(staged.json<WebJson>().mode).toBe("rebuild");

    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(promoted.stderr).toMatch(
      /files equal except the public values \([1-9]\d* renamed by content hash\)/,
    );

    // Another commit: one changed line in the chat chunk.
    const chat = join(cwd, "src", "chat.js");
    await writeFile(
      chat,
      (await readFile(chat, "utf8")).replace('const room = "lobby";', 'const room = "lobby-2";'),
    );
    const again = await run("web", "deploy", "production", "--json");
    expect(again.exitCode).toBe(1);
    const error = again.json<ErrorJson>().error;
    expect(error.code).toBe("web.not-equivalent");
    expect(error.message).toMatch(
      /dist\/assets\/chat-[\w-]+\.js differs from the gated build's \/assets\/chat-[\w-]+\.js beyond the public values \(first difference at byte \d+/,
    );
  }, 90_000);
});
