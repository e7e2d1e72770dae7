import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HostingEmulator, startHostingEmulator } from "@echogate/emulator";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectNumberOf } from "../../packages/emulator/src/project-number.js";
import { onGoogle } from "./target.js";

// The real Firebase CLI (`firebase-tools`, a devDependency) against the Hosting emulator: the
// client most Hosting users run, with its own request shapes (projects/{number}/sites for
// validateOnly, versions under projects/{id}, DEFAULT_SITE lookup, uploads to uploadUrl).
//
// Nothing leaves loopback: every origin firebase-tools reads from the environment (each
// `envOverride("…_URL")` of its lib/api.js, read at test time so a new origin is covered too) points
// at `google`, a loopback stand-in for the APIs around Hosting that echogate does not emulate
// (Service Usage, Resource Manager, Firebase Management projects.get; Identity Toolkit's auth
// domains, which the CLI tolerates missing, get a 404); only
// FIREBASE_HOSTING_API_URL points at the emulator. FIREBASE_TOKEN only satisfies the CLI's login
// check: to an http:// origin it sends `Bearer owner` and exchanges no token. HOME and the config
// dirs are a temp dir, so no login, usage collection or update check of the machine is used.

const require = createRequire(import.meta.url);
const FIREBASE_BIN = require.resolve("firebase-tools/lib/bin/firebase.js");
const PROJECT = "conf-cli-proj";
const NUMBER = projectNumberOf(PROJECT);

interface Seen {
  method: string;
  path: string;
}

let emulator: HostingEmulator;
let google: Server;
let googleUrl: string;
let dir: string;
const seenByGoogle: Seen[] = [];

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** The Google APIs firebase-tools calls around Hosting, answered as for a healthy project. */
async function aroundHosting(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
  seenByGoogle.push({ method: req.method ?? "GET", path });
  const project = { projectId: PROJECT, projectNumber: NUMBER };
  if (req.method === "POST" && /^\/v1\/projects\/[^/]+:testIamPermissions$/.test(path))
    return reply(res, 200, { permissions: (JSON.parse(body) as { permissions: string[] }).permissions });
  if (req.method === "GET" && /^\/v1\/projects\/[^/]+\/services\/[^/]+$/.test(path))
    return reply(res, 200, { state: "ENABLED" });
  if (req.method === "GET" && path === `/v1/projects/${PROJECT}`)
    return reply(res, 200, { ...project, name: `projects/${NUMBER}`, lifecycleState: "ACTIVE" });
  // Firebase Management projects.get without resources.hostingSite: the CLI then asks Hosting
  // which site is the DEFAULT_SITE.
  if (req.method === "GET" && path === `/v1beta1/projects/${PROJECT}`)
    return reply(res, 200, {
      ...project,
      name: `projects/${PROJECT}`,
      displayName: PROJECT,
      state: "ACTIVE",
    });
  reply(res, 404, { error: { code: 404, status: "NOT_FOUND", message: `${req.method} ${path}` } });
}

/** Every URL origin firebase-tools takes from the environment, at `google`; Hosting at the emulator. */
function loopbackEnv(): Record<string, string> {
  const apiSource = readFileSync(require.resolve("firebase-tools/lib/api.js"), "utf8");
  const env: Record<string, string> = {};
  for (const [, name, fallback] of apiSource.matchAll(/envOverride\("([A-Z0-9_]+)",\s*("https?:)?/g))
    if (fallback || name!.endsWith("_URL")) env[name!] = googleUrl;
  return {
    ...env,
    FIREBASE_HOSTING_API_URL: emulator.url,
    FIREBASE_TOKEN: "loopback-refresh-token",
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    XDG_CACHE_HOME: join(dir, ".cache"),
    GCE_METADATA_HOST: new URL(googleUrl).host,
    NO_UPDATE_NOTIFIER: "1",
    CI: "true",
  };
}

async function firebase(args: string[], cwd: string) {
  return execa(process.execPath, [FIREBASE_BIN, ...args, "--project", PROJECT, "--non-interactive"], {
    cwd,
    env: loopbackEnv(),
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
}

async function hostingGet(path: string) {
  const response = await fetch(`${emulator.url}/v1beta1/${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "echogate-conformance-firebase-cli-"));
  emulator = await startHostingEmulator({ dir: join(dir, "hosting") });
  google = createServer((req, res) => {
    aroundHosting(req, res).catch(() => reply(res, 500, {}));
  });
  await new Promise<void>((resolve) => google.listen(0, "127.0.0.1", resolve));
  googleUrl = `http://127.0.0.1:${(google.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await emulator?.close();
  await new Promise<void>((resolve) => (google ? google.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(onGoogle)("the Firebase CLI against the Hosting emulator", () => {
  it("creates sites (validateOnly, by number, then by id), deploys to the DEFAULT_SITE without --site, and to a preview channel", {
    timeout: 240_000,
  }, async () => {
    const app = join(dir, "app");
    await mkdir(join(app, "public"), { recursive: true });
    await writeFile(join(app, "firebase.json"), JSON.stringify({ hosting: { public: "public" } }));
    await writeFile(join(app, "public", "index.html"), "<h1>deployed by firebase-tools</h1>");

    // hosting:sites:create checks the id with validateOnly under projects/{number}, then creates it
    // under projects/{id}: the first must store nothing, and both name one project.
    for (const site of [PROJECT, "conf-cli-extra"]) {
      const created = await firebase(["hosting:sites:create", site], app);
      expect(created.exitCode, `${created.stdout}\n${created.stderr}`).toBe(0);
    }
    const listed = await hostingGet(`projects/${NUMBER}/sites`);
    const types = Object.fromEntries(
      (listed.body.sites as { name: string; type: string }[]).map((s) => [s.name.split("/").at(-1), s.type]),
    );
    expect(types).toEqual({ [PROJECT]: "DEFAULT_SITE", "conf-cli-extra": "USER_SITE" });

    const deployed = await firebase(["deploy", "--only", "hosting"], app);
    expect(deployed.exitCode, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
    const served = await fetch(`${emulator.channelUrl(PROJECT, "live")}/index.html`);
    expect(await served.text()).toBe("<h1>deployed by firebase-tools</h1>");
    const release = (await hostingGet(`sites/${PROJECT}/releases`)).body.releases as {
      version: { status: string; fileCount: string };
    }[];
    expect(release[0]?.version).toMatchObject({ status: "FINALIZED", fileCount: "1" });

    // A preview channel: channels.create with a ttl, a second version released to it.
    const channel = await firebase(["hosting:channel:deploy", "pr-7", "--expires", "2h", "--json"], app);
    expect(channel.exitCode, `${channel.stdout}\n${channel.stderr}`).toBe(0);
    const result = (JSON.parse(channel.stdout) as { result: Record<string, { url: string }> }).result;
    expect(result[PROJECT]?.url).toBe(emulator.channelUrl(PROJECT, "pr-7"));
    const preview = await fetch(`${result[PROJECT]!.url}/index.html`);
    expect(await preview.text()).toBe("<h1>deployed by firebase-tools</h1>");
    const expires = Date.parse(String((await hostingGet(`sites/${PROJECT}/channels/pr-7`)).body.expireTime));
    expect(expires - Date.now()).toBeGreaterThan(3_600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(seenByGoogle.length).toBeGreaterThan(0);
    if (process.env.DEBUG_FIREBASE_CLI)
      console.log(JSON.stringify({ seenByGoogle, hosting: emulator.stats.byRoute }));
  });
  it("deploys firebase.json's rewrites, redirects, headers, cleanUrls and trailingSlash, and the emulator serves them", {
    timeout: 240_000,
  }, async () => {
    const site = "conf-cli-config";
    const app = join(dir, "app-config");
    await mkdir(join(app, "public", "docs"), { recursive: true });
    await writeFile(
      join(app, "firebase.json"),
      JSON.stringify({
        hosting: {
          site,
          public: "public",
          cleanUrls: true,
          trailingSlash: false,
          rewrites: [{ source: "/app/**", destination: "/index.html" }],
          redirects: [{ source: "/old/:rest*", destination: "/new/:rest*", type: 302 }],
          headers: [{ source: "**/*.@(js|css)", headers: [{ key: "Cache-Control", value: "max-age=600" }] }],
        },
      }),
    );
    await writeFile(join(app, "public", "index.html"), "<h1>spa</h1>");
    await writeFile(join(app, "public", "about.html"), "<h1>about</h1>");
    await writeFile(join(app, "public", "docs", "index.html"), "<h1>docs</h1>");
    await writeFile(join(app, "public", "app.js"), "console.log(1)");
    const created = await firebase(["hosting:sites:create", site], app);
    expect(created.exitCode, `${created.stdout}\n${created.stderr}`).toBe(0);
    const deployed = await firebase(["deploy", "--only", "hosting"], app);
    expect(deployed.exitCode, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);

    // The CLI's own conversion (lib/deploy/hosting/convertConfig.js) is what the version stores.
    const release = (await hostingGet(`sites/${site}/releases`)).body.releases as {
      version: { config: Record<string, unknown> };
    }[];
    expect(release[0]?.version.config).toEqual({
      rewrites: [{ glob: "/app/**", path: "/index.html" }],
      redirects: [{ glob: "/old/:rest*", location: "/new/:rest*", statusCode: 302 }],
      headers: [{ glob: "**/*.@(js|css)", headers: { "Cache-Control": "max-age=600" } }],
      cleanUrls: true,
      trailingSlashBehavior: "REMOVE",
    });
    const url = emulator.channelUrl(site, "live")!;
    const get = (path: string) => fetch(`${url}${path}`, { redirect: "manual" });
    expect(await (await get("/app/rooms/1")).text()).toBe("<h1>spa</h1>");
    const old = await get("/old/a/b");
    expect([old.status, old.headers.get("location")]).toEqual([302, "/new/a/b"]);
    expect((await get("/app.js")).headers.get("cache-control")).toBe("max-age=600");
    expect(await (await get("/about")).text()).toBe("<h1>about</h1>");
    expect((await get("/about.html")).headers.get("location")).toBe("/about");
    expect((await get("/docs/")).headers.get("location")).toBe("/docs");
    expect(await (await get("/docs")).text()).toBe("<h1>docs</h1>");
  });
});
