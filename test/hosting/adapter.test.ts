import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { PlatformError } from "../../deploy/core/errors.js";
import { ensureChannel, release, uploadVersion } from "../../deploy/hosting/publish.js";
import { siteFile } from "../../deploy/hosting/site-files.js";
import { FirebaseHostingAdapter } from "../../deploy/platform/hosting/firebase-adapter.js";
import { files, getText, hostingEmulator } from "./fixtures.js";

const DAY = 86_400_000;

describe("Firebase Hosting adapter on the local emulator", () => {
  it("uploads only files Hosting lacks: 500 files with 490 unchanged upload 10", async () => {
    const { emulator, adapter } = await hostingEmulator();
    const first = files(500);
    await uploadVersion(adapter, "site-a", first, { labels: {} });
    expect(emulator.stats.uploads).toBe(500);
    emulator.resetStats();
    const second = [...first.slice(0, 490), ...files(500, "v2").slice(490)];
    const result = await uploadVersion(adapter, "site-a", second, { labels: {} });
    expect(result).toMatchObject({ total: 500, uploaded: 10 });
    expect(emulator.stats.uploads).toBe(10);
    expect(emulator.stats.byRoute.upload).toBe(10);
    expect(result.version.status).toBe("FINALIZED");
  });

  it("serves a channel only after finalize and release", async () => {
    const { emulator, adapter } = await hostingEmulator();
    const channel = await ensureChannel(adapter, {
      site: "s",
      channel: "pr-1",
      ttlSeconds: 3600,
      labels: { "echogate-owner": "me" },
    });
    const url = channel.url ?? emulator.channelUrl("s", "pr-1")!;
    expect((await getText(`${url}/index.html`)).status).toBe(404);
    const { version } = await uploadVersion(
      adapter,
      "s",
      [siteFile("/index.html", Buffer.from("<h1>v1</h1>"))],
      { labels: {} },
    );
    await release(adapter, "s", "pr-1", version, "first");
    expect(await getText(`${url}/`)).toEqual({ status: 200, text: "<h1>v1</h1>" });
    const fetched = await adapter.getChannel("s", "pr-1");
    expect(fetched?.release?.version.name).toBe(version.name);
  });

  it("renews a channel's expiry on every release and deletes it when it expires", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const { adapter } = await hostingEmulator({ now: () => now });
    const created = await adapter.createChannel("s", "pr-ttl", { ttlSeconds: 86_400, labels: {} });
    expect(created.expireTime).toBe("2030-01-02T00:00:00.000Z");
    now = new Date(now.getTime() + DAY / 2);
    const { version } = await uploadVersion(adapter, "s", [siteFile("/a.txt", Buffer.from("a"))], {
      labels: {},
    });
    await release(adapter, "s", "pr-ttl", version, "again");
    expect((await adapter.getChannel("s", "pr-ttl"))?.expireTime).toBe("2030-01-02T12:00:00.000Z");
    now = new Date(now.getTime() + DAY + 1000);
    expect(await adapter.getChannel("s", "pr-ttl")).toBeUndefined();
  });

  it("defaults the TTL to 7 days and refuses more than 30", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const { adapter } = await hostingEmulator({ now: () => now });
    expect((await adapter.createChannel("s", "pr-default", { labels: {} })).expireTime).toBe(
      "2030-01-08T00:00:00.000Z",
    );
    await expect(
      adapter.createChannel("s", "pr-long", { ttlSeconds: 31 * 86_400, labels: {} }),
    ).rejects.toMatchObject({ exitCode: 3 });
  });

  it("answers 429 'channel quota reached' as a PlatformError that suggests cleanup", async () => {
    const { adapter } = await hostingEmulator({ channelQuota: 2 });
    await adapter.createChannel("s", "one", { labels: {} });
    await adapter.createChannel("s", "two", { labels: {} });
    const error = await adapter.createChannel("s", "three", { labels: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ exitCode: 3, code: "hosting.resource-exhausted" });
    expect((error as PlatformError).message).toContain("channel quota reached");
    expect((error as PlatformError).hint).toContain("preview cleanup");
  });

  it("refuses a channel that exists with another owner label", async () => {
    const { adapter } = await hostingEmulator();
    await adapter.createChannel("s", "feature-x", { labels: { "echogate-owner": "someone-else" } });
    await expect(
      ensureChannel(adapter, {
        site: "s",
        channel: "feature-x",
        labels: { "echogate-owner": "chat-feature-x" },
      }),
    ).rejects.toMatchObject({
      code: "hosting.channel-owner",
      exitCode: 3,
    });
  });

  it("promotes by cloning the exact version and swapping only the runtime config", async () => {
    const { emulator, adapter } = await hostingEmulator();
    const app = siteFile("/app.js", Buffer.from("console.log('app')"));
    const staged = await uploadVersion(
      adapter,
      "staging",
      [app, siteFile("/echogate.json", Buffer.from('{"environment":"staging"}'))],
      { labels: {} },
    );
    emulator.resetStats();
    const clone = await adapter.cloneVersion("production", staged.version.name, {
      exclude: ["^/echogate\\.json$"],
      finalize: false,
    });
    const promoted = await uploadVersion(
      adapter,
      "production",
      [siteFile("/echogate.json", Buffer.from('{"environment":"production"}'))],
      { labels: {}, version: clone },
    );
    await release(adapter, "production", "live", promoted.version, "promote");
    const url = emulator.channelUrl("production", "live")!;
    expect((await getText(`${url}/app.js`)).text).toBe("console.log('app')");
    expect((await getText(`${url}/echogate.json`)).text).toContain("production");
    expect(emulator.stats.uploads).toBe(1);
  });

  it("leaves the previous release serving when an upload is interrupted, and a re-run completes it", async () => {
    const { emulator, adapter, dir } = await hostingEmulator();
    const v1 = await uploadVersion(adapter, "s", [siteFile("/index.html", Buffer.from("v1"))], {
      labels: {},
    });
    await release(adapter, "s", "live", v1.version, "v1");
    const next = [siteFile("/index.html", Buffer.from("v2")), ...files(40, "v2")];
    const controller = new AbortController();
    const interrupted = uploadVersion(adapter, "s", next, {
      labels: {},
      signal: controller.signal,
      onProgress: ({ uploaded }) => {
        if (uploaded === 10) controller.abort(new Error("interrupted"));
      },
    });
    await expect(interrupted).rejects.toThrow("interrupted");
    const url = emulator.channelUrl("s", "live")!;
    expect((await getText(`${url}/`)).text).toBe("v1");
    // A fresh emulator process on the same state directory: the re-run uploads only what is missing.
    // Counted once the emulator has closed: an upload it had accepted before the abort still lands.
    await emulator.close();
    const uploadedBefore = emulator.stats.uploads;
    expect(uploadedBefore).toBeLessThan(1 + 41);
    const { emulator: restarted, adapter: again } = await hostingEmulator({ dir });
    const rerun = await uploadVersion(again, "s", next, { labels: {} });
    expect(rerun.uploaded).toBe(1 + 41 - uploadedBefore);
    await release(again, "s", "live", rerun.version, "v2");
    expect((await getText(`${restarted.channelUrl("s", "live")!}/`)).text).toBe("v2");
  });

  it("refuses to finalize a version whose files were never uploaded", async () => {
    const { adapter } = await hostingEmulator();
    const version = await adapter.createVersion("s", {}, {});
    await adapter.populateFiles(version.name, { "/x.js": "a".repeat(64) });
    await expect(adapter.finalizeVersion(version.name)).rejects.toMatchObject({
      code: "hosting.failed-precondition",
      exitCode: 3,
    });
  });

  it("maps a 403 to a PlatformError carrying the API's message", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(403, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: { code: 403, status: "PERMISSION_DENIED", message: "The caller does not have permission" },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const adapter = new FirebaseHostingAdapter({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        auth: "none",
      });
      const error = (await adapter.listChannels("s").catch((e: unknown) => e)) as PlatformError;
      expect(error).toMatchObject({ exitCode: 3, code: "hosting.permission-denied" });
      expect(error.message).toContain("The caller does not have permission");
      expect(error.hint).toContain("roles/firebasehosting.admin");
    } finally {
      server.close();
    }
  });
});
