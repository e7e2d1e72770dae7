import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { IMAGE_STORE_RELATIVE_DIR } from "@echogate/common/image-manifest";
import { ensureEmulator, stopEmulator } from "@echogate/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ensureChannel, LIVE_CHANNEL, release, uploadVersion } from "../../deploy/hosting/publish.js";
import { siteFile } from "../../deploy/hosting/site-files.js";
import { createCloudRunClients } from "../../deploy/platform/cloudrun/clients.js";
import { FirebaseHostingAdapter } from "../../deploy/platform/hosting/firebase-adapter.js";
import { createSites } from "../../deploy/platform/hosting/local-sites.js";
import { allowPublic, PARENT, template, writeTestImage } from "./helpers.js";

// One detached emulator daemon (Cloud Run + Hosting) in a project whose .echogate/ was created
// with the wrong modes beforehand; checks what it writes and which Host headers it answers.

const SECRET = "greeting-Zq8rVt2Lp9Wx4Nc7";
let projectDir: string;
let apiEndpoint: string;
let hostingEndpoint: string;
let serviceUrl: string;
let channelUrl: string;

beforeAll(async () => {
  projectDir = await mkdtemp(path.join(tmpdir(), "echogate-modes-"));
  const stateDir = path.join(projectDir, ".echogate", "emulator");
  await mkdir(stateDir, { recursive: true, mode: 0o755 });
  await chmod(path.join(projectDir, ".echogate"), 0o755);
  await chmod(stateDir, 0o755);
  await writeFile(path.join(stateDir, "state.json"), '{"schemaVersion":1,"services":{}}\n', { mode: 0o644 });
  await writeFile(path.join(stateDir, "revision-pids.json"), "[]", { mode: 0o644 });
  const image = await writeTestImage(path.join(projectDir, IMAGE_STORE_RELATIVE_DIR));
  const emulator = await ensureEmulator(projectDir);
  apiEndpoint = emulator.apiEndpoint;
  hostingEndpoint = emulator.hostingEndpoint!;
  const clients = createCloudRunClients({ kind: "emulator", apiEndpoint });
  try {
    const [op] = await clients.services.createService({
      parent: PARENT,
      serviceId: "modes",
      service: {
        template: template(image.ref, {
          containers: [{ image: image.ref, env: [{ name: "GREETING", value: SECRET }] }],
        }),
      },
    });
    const [service] = await op.promise();
    // Created through the API, so private until allUsers may invoke it (as on Cloud Run).
    await allowPublic(clients, "modes");
    serviceUrl = service.uri!;
  } finally {
    await clients.close();
  }
  await createSites(hostingEndpoint, [{ site: "modes-site", project: "local" }]);
  const hosting = new FirebaseHostingAdapter({ baseUrl: hostingEndpoint, auth: "none" });
  const uploaded = await uploadVersion(hosting, "modes-site", [siteFile("/index.html", Buffer.from("hi"))], {
    labels: {},
  });
  await ensureChannel(hosting, { site: "modes-site", channel: LIVE_CHANNEL });
  const released = await release(hosting, "modes-site", LIVE_CHANNEL, uploaded.version, "test");
  channelUrl = (await hosting.getChannel("modes-site", LIVE_CHANNEL))!.url!;
  expect(released).toBeTruthy();
}, 40_000);

afterAll(async () => {
  if (!projectDir) return;
  await stopEmulator(projectDir);
  await rm(projectDir, { recursive: true, force: true });
});

async function walk(dir: string): Promise<{ path: string; mode: number; dir: boolean }[]> {
  const found: { path: string; mode: number; dir: boolean }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const info = await stat(full);
    found.push({ path: path.relative(projectDir, full), mode: info.mode & 0o777, dir: entry.isDirectory() });
    if (entry.isDirectory()) found.push(...(await walk(full)));
  }
  return found;
}

describe(".echogate/ state on disk", () => {
  it("every file the emulators write is 0600 and every directory 0700, files created earlier included", async () => {
    const all = await walk(path.join(projectDir, ".echogate"));
    const ours = all.filter((entry) => !entry.path.startsWith(IMAGE_STORE_RELATIVE_DIR));
    expect(ours.map((e) => e.path)).toEqual(
      expect.arrayContaining([".echogate/emulator/state.json", ".echogate/emulator/revision-pids.json"]),
    );
    const wrong = ours
      .filter((entry) => (entry.dir ? entry.mode !== 0o700 : (entry.mode & 0o077) !== 0))
      .map((entry) => `${entry.path} ${entry.mode.toString(8)}`);
    expect(wrong).toEqual([]);
    expect((await stat(path.join(projectDir, ".echogate"))).mode & 0o777).toBe(0o700);
  });
});

/** A raw request with a chosen Host header (what a browser sends after DNS rebinding). */
function requestWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on("error", reject);
  });
}

function upgradeWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers: { host } });
    ws.once("open", () => ws.send("ping"));
    ws.once("message", (data) => {
      ws.close();
      resolve(String(data));
    });
    ws.once("unexpected-response", (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.once("error", (error) => resolve(`error ${error.message}`));
  });
}

describe("Host header check (DNS rebinding)", () => {
  const port = (url: string) => new URL(url).port;

  it.each(["api", "hosting", "service", "channel"])(
    "the %s server refuses a foreign Host with 403",
    async (which) => {
      const url = {
        api: `${apiEndpoint}/v2/${PARENT}/services`,
        hosting: `${hostingEndpoint}/v1beta1/sites/modes-site/channels`,
        service: serviceUrl,
        channel: channelUrl,
      }[which]!;
      expect(await requestWithHost(url, `rebind.attacker.example:${port(url)}`)).toBe(403);
      expect(await requestWithHost(url, "127.0.0.1")).toBe(403);
      expect(await requestWithHost(url, `127.0.0.1:${Number(port(url)) + 1}`)).toBe(403);
    },
  );

  it.each(["api", "hosting", "service", "channel"])(
    "the %s server answers its own loopback address and localhost",
    async (which) => {
      const url = {
        api: `${apiEndpoint}/v2/${PARENT}/services`,
        hosting: `${hostingEndpoint}/v1beta1/sites/modes-site/channels`,
        service: serviceUrl,
        channel: channelUrl,
      }[which]!;
      expect(await requestWithHost(url, `127.0.0.1:${port(url)}`)).toBe(200);
      expect(await requestWithHost(url, `localhost:${port(url)}`)).toBe(200);
    },
  );

  it("WebSocket upgrades on a service URL work with real clients' Host headers and not with a foreign one", async () => {
    expect(await upgradeWithHost(serviceUrl, `127.0.0.1:${port(serviceUrl)}`)).toMatch(/^modes-.*:ping$/);
    expect(await upgradeWithHost(serviceUrl, `localhost:${port(serviceUrl)}`)).toMatch(/:ping$/);
    expect(await upgradeWithHost(serviceUrl, `evil.example:${port(serviceUrl)}`)).toBe("refused 403");
  });
});
