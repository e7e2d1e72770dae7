import type { ServingConfig } from "@echogate/common/serving-config";
import type { HostingEmulator } from "@echogate/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { release, uploadVersion } from "../../deploy/hosting/publish.js";
import { siteFile } from "../../deploy/hosting/site-files.js";
import type { FirebaseHostingAdapter } from "../../deploy/platform/hosting/firebase-adapter.js";
import {
  allowPublic,
  LOCATION,
  PARENT,
  PROJECT,
  startTestEmulator,
  type TestEmulator,
  template,
  writeTestImage,
} from "../emulator/helpers.js";
import { hostingEmulator } from "./fixtures.js";

// The Hosting emulator serves a version's ServingConfig as Firebase Hosting does
// (docs/emulator.md, "Serving config"): one site per feature, real HTTP on loopback.

const SITE_FILES = {
  "/index.html": "<h1>app</h1>",
  "/app.js": "console.log('app')",
  "/style.css": "body{}",
  "/admin.html": "<h1>admin</h1>",
  "/docs/index.html": "<h1>docs</h1>",
  "/old.html": "<h1>old page</h1>",
};

let emulator: HostingEmulator;
let adapter: FirebaseHostingAdapter;
let site = 0;

/** Deploys SITE_FILES (plus `extra`) with `config` to a new site's live channel; returns its URL. */
async function served(config: ServingConfig, extra: Record<string, string> = {}): Promise<string> {
  const id = `cfg-${++site}`;
  const { createSites } = await import("../../deploy/platform/hosting/local-sites.js");
  await createSites(emulator.url, [{ site: id, project: PROJECT }]);
  const files = Object.entries({ ...SITE_FILES, ...extra }).map(([path, text]) =>
    siteFile(path, Buffer.from(text)),
  );
  const { version } = await uploadVersion(adapter, id, files, { labels: {}, config });
  await release(adapter, id, "live", version, "test");
  return emulator.channelUrl(id, "live")!;
}

const get = (url: string, init: RequestInit = {}) => fetch(url, { redirect: "manual", ...init });

beforeAll(async () => {
  ({ emulator, adapter } = await hostingEmulator({ sites: [] }));
});

describe("the Hosting emulator serves a version's config", () => {
  it("stores the config it was given with the version", async () => {
    const config: ServingConfig = { cleanUrls: true, rewrites: [{ glob: "**", path: "/index.html" }] };
    const url = await served(config);
    const id = `cfg-${site}`;
    const channel = await adapter.getChannel(id, "live");
    const version = (await fetch(`${emulator.url}/v1beta1/${channel!.release!.version.name}`).then((r) =>
      r.json(),
    )) as { config: ServingConfig };
    expect(version.config).toEqual(config);
    expect((await get(`${url}/`)).status).toBe(200);
  });

  it("refuses a config the REST API would refuse (400 INVALID_ARGUMENT naming the field)", async () => {
    const { createSites } = await import("../../deploy/platform/hosting/local-sites.js");
    await createSites(emulator.url, [{ site: "cfg-invalid", project: PROJECT }]);
    const create = (config: unknown) =>
      fetch(`${emulator.url}/v1beta1/sites/cfg-invalid/versions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ config }),
      });
    const both = await create({ rewrites: [{ glob: "**", regex: "^/x$", path: "/index.html" }] });
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: { message: string } }).error.message).toBe(
      "Invalid value at 'version.config.rewrites[0]': needs exactly one of glob or regex",
    );
    expect((await create({ cleanURLs: true })).status).toBe(400);
    expect((await create({ redirects: [{ glob: "/a", location: "/b", statusCode: 200 }] })).status).toBe(400);
    expect((await create({ trailingSlashBehavior: "ADD" })).status).toBe(200);
  });

  it("rewrites to a destination (SPA), after exact-match static content", async () => {
    const url = await served({ rewrites: [{ glob: "**", path: "/index.html" }] });
    const deep = await get(`${url}/rooms/42/chat`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe("<h1>app</h1>");
    expect(deep.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await (await get(`${url}/app.js`)).text()).toBe("console.log('app')");
    // The reserved namespace comes first, before any rewrite.
    expect((await get(`${url}/__/firebase/init.js`)).status).toBe(404);
  });

  it("answers 404 without a matching rewrite, with the site's /404.html when it has one", async () => {
    const plain = await served({ rewrites: [{ glob: "/app/**", path: "/index.html" }] });
    expect((await get(`${plain}/elsewhere`)).status).toBe(404);
    expect(await (await get(`${plain}/app/x`)).text()).toBe("<h1>app</h1>");
    const custom = await served({}, { "/404.html": "<h1>lost</h1>" });
    const missing = await get(`${custom}/nowhere`);
    expect([missing.status, await missing.text()]).toEqual([404, "<h1>lost</h1>"]);
  });

  it("redirects before static content, with the status given (301 by default), the query kept and :captures filled", async () => {
    const url = await served({
      redirects: [
        { glob: "/old.html", location: "/new" },
        { glob: "/moved/**", location: "/elsewhere", statusCode: 302 },
        { glob: "/blog/:post*", location: "https://blog.example.com/:post*" },
        { glob: "/users/:id/profile", location: "/profiles/:id" },
        { regex: "^/r/(?<n>\\d+)$", location: "/rooms/:n" },
      ],
    });
    const old = await get(`${url}/old.html?ref=x`);
    expect([old.status, old.headers.get("location")]).toEqual([301, "/new?ref=x"]);
    const moved = await get(`${url}/moved/a/b`);
    expect([moved.status, moved.headers.get("location")]).toEqual([302, "/elsewhere"]);
    expect((await get(`${url}/blog/2026/12/hello`)).headers.get("location")).toBe(
      "https://blog.example.com/2026/12/hello",
    );
    expect((await get(`${url}/blog`)).headers.get("location")).toBe("https://blog.example.com");
    expect((await get(`${url}/users/ada/profile`)).headers.get("location")).toBe("/profiles/ada");
    expect((await get(`${url}/users/ada/other`)).status).toBe(404);
    expect((await get(`${url}/r/7`)).headers.get("location")).toBe("/rooms/7");
  });

  it("sets headers on every path a glob matches (**, *, extglob), later rules winning", async () => {
    const url = await served({
      rewrites: [{ glob: "**", path: "/index.html" }],
      headers: [
        { glob: "**", headers: { "x-frame-options": "DENY", "cache-control": "no-cache" } },
        { glob: "**/*.@(js|css)", headers: { "Cache-Control": "max-age=31536000" } },
        { glob: "/docs/*", headers: { "x-docs": "yes" } },
      ],
    });
    const page = await get(`${url}/rooms/1`);
    expect([page.headers.get("x-frame-options"), page.headers.get("cache-control")]).toEqual([
      "DENY",
      "no-cache",
    ]);
    expect((await get(`${url}/app.js`)).headers.get("cache-control")).toBe("max-age=31536000");
    expect((await get(`${url}/style.css`)).headers.get("cache-control")).toBe("max-age=31536000");
    expect((await get(`${url}/docs/intro`)).headers.get("x-docs")).toBe("yes");
    // `*` is one segment: a nested path is not matched.
    expect((await get(`${url}/docs/a/b`)).headers.get("x-docs")).toBeNull();
  });

  it("serves /admin from admin.html only with cleanUrls, and then redirects /admin.html to /admin", async () => {
    const off = await served({});
    expect((await get(`${off}/admin`)).status).toBe(404);
    expect(await (await get(`${off}/admin.html`)).text()).toBe("<h1>admin</h1>");
    const on = await served({ cleanUrls: true });
    const clean = await get(`${on}/admin`);
    expect([clean.status, await clean.text()]).toEqual([200, "<h1>admin</h1>"]);
    const dirty = await get(`${on}/admin.html`);
    expect([dirty.status, dirty.headers.get("location")]).toEqual([301, "/admin"]);
    expect((await get(`${on}/index.html`)).headers.get("location")).toBe("/");
  });

  it("serves a path's localized copy with i18n (language_country, ALL_country, language_ALL, language), else the default", async () => {
    const url = await served(
      { i18n: { root: "/localized" }, rewrites: [{ glob: "**", path: "/index.html" }] },
      {
        "/localized/fr_CA/index.html": "<h1>fr-CA</h1>",
        "/localized/ALL_CA/index.html": "<h1>CA</h1>",
        "/localized/de_ALL/index.html": "<h1>de</h1>",
        "/localized/es/admin.html": "<h1>es admin</h1>",
      },
    );
    const page = async (path: string, headers: Record<string, string>) =>
      (await get(`${url}${path}`, { headers })).text();
    expect(await page("/", { "accept-language": "fr-CA,fr;q=0.9", "x-country-code": "CA" })).toBe(
      "<h1>fr-CA</h1>",
    );
    expect(await page("/", { "accept-language": "en", "x-country-code": "CA" })).toBe("<h1>CA</h1>");
    expect(await page("/", { "accept-language": "de-DE,de;q=0.8" })).toBe("<h1>de</h1>");
    expect(await page("/", { cookie: "firebase-language-override=de" })).toBe("<h1>de</h1>");
    expect(await page("/admin.html", { "accept-language": "es" })).toBe("<h1>es admin</h1>");
    // A rewrite's destination is localized too; no language: the default content.
    expect(await page("/rooms/1", { "accept-language": "de" })).toBe("<h1>de</h1>");
    expect(await page("/", {})).toBe("<h1>app</h1>");
  });

  it("adds or removes a directory's trailing slash as trailingSlash says (unset: adds)", async () => {
    const unset = await served({});
    expect((await get(`${unset}/docs`)).headers.get("location")).toBe("/docs/");
    expect(await (await get(`${unset}/docs/`)).text()).toBe("<h1>docs</h1>");
    const removes = await served({ trailingSlashBehavior: "REMOVE" });
    const slashed = await get(`${removes}/docs/`);
    expect([slashed.status, slashed.headers.get("location")]).toEqual([301, "/docs"]);
    expect(await (await get(`${removes}/docs`)).text()).toBe("<h1>docs</h1>");
    const adds = await served({ trailingSlashBehavior: "ADD", cleanUrls: true });
    expect((await get(`${adds}/admin`)).headers.get("location")).toBe("/admin/");
    expect(await (await get(`${adds}/admin/`)).text()).toBe("<h1>admin</h1>");
  });
});

describe("run rewrites on the emulators", () => {
  let cloudRun: TestEmulator;
  let withRun: HostingEmulator;
  let runAdapter: FirebaseHostingAdapter;

  beforeAll(async () => {
    cloudRun = await startTestEmulator();
    const image = (await writeTestImage(cloudRun.imageStoreDir, { version: "1.0.0" })).ref;
    const [created] = await cloudRun.clients.services.createService({
      parent: PARENT,
      serviceId: "api",
      service: { template: template(image) },
    });
    await created.promise();
    await allowPublic(cloudRun.clients, "api");
    ({ emulator: withRun, adapter: runAdapter } = await hostingEmulator({
      sites: [],
      cloudRunApi: cloudRun.emulator.apiEndpoint,
    }));
    const { createSites } = await import("../../deploy/platform/hosting/local-sites.js");
    await createSites(withRun.url, [{ site: "run-site", project: PROJECT }]);
  }, 30_000);

  afterAll(async () => {
    await cloudRun?.close();
  });

  it("proxies every method to the emulated Cloud Run service the rewrite names; one that isn't there is 502", async () => {
    const { version } = await uploadVersion(
      runAdapter,
      "run-site",
      [siteFile("/index.html", Buffer.from("<h1>app</h1>"))],
      {
        labels: {},
        config: {
          rewrites: [
            { glob: "/api/**", run: { serviceId: "api", region: LOCATION } },
            { glob: "/gone/**", run: { serviceId: "missing", region: LOCATION } },
          ],
          headers: [{ glob: "/api/**", headers: { "x-through": "hosting" } }],
        },
      },
    );
    await release(runAdapter, "run-site", "live", version, "run");
    const url = withRun.channelUrl("run-site", "live")!;
    const answer = await fetch(`${url}/api/echo?x=1`, { method: "POST", body: "hi" });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-through")).toBe("hosting");
    const body = (await answer.json()) as { service: string };
    expect(body.service).toBe("api");
    expect((await fetch(`${url}/gone/x`)).status).toBe(502);
    expect(await (await fetch(`${url}/`)).text()).toBe("<h1>app</h1>");
  });
});
