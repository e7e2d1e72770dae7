import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type HostingEmulator, startHostingEmulator } from "@echogate/emulator";
import { GoogleAuth } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectNumberOf } from "../../packages/emulator/src/project-number.js";
import { onGoogle } from "./target.js";

// Firebase Hosting REST API v1beta1 behaviours, called as raw REST
// shaped per the discovery document (https://firebasehosting.googleapis.com/$discovery/rest?version=v1beta1).
// Google: CONFORMANCE_TARGET=google with CONFORMANCE_FIREBASE_PROJECT (a Firebase project) and
// Application Default Credentials; the suite creates a site conf-<random> and deletes it.

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  body: Json;
}

let baseUrl: string;
let project: string;
let emulator: HostingEmulator | undefined;
let stateDir: string | undefined;
let auth: GoogleAuth | undefined;
const suffix = Math.random().toString(36).slice(2, 6);
const siteId = `conf-${suffix}-web`;

async function call(
  method: string,
  path: string,
  options: {
    query?: Record<string, string>;
    body?: unknown;
    raw?: Buffer;
    contentType?: string;
    base?: string;
  } = {},
): Promise<Reply> {
  const url = new URL(path.startsWith("http") ? path : `${options.base ?? baseUrl}/v1beta1/${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers = new Headers(auth ? await auth.getRequestHeaders(url.href) : {});
  if (options.body !== undefined) headers.set("content-type", "application/json");
  if (options.raw) headers.set("content-type", options.contentType ?? "application/octet-stream");
  const response = await fetch(url, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.raw ? { body: new Uint8Array(options.raw) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function createdVersion(site = siteId): Promise<string> {
  const reply = await call("POST", `sites/${site}/versions`, { body: { labels: {} } });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return String(reply.body.name);
}

/** A finalized version holding one file, uploaded as `upload` says. */
async function finalizedVersion(
  content: string,
  upload?: (url: string, hash: string, gz: Buffer) => Promise<Reply>,
) {
  const version = await createdVersion();
  const gz = gzipSync(Buffer.from(content));
  const hash = sha256(gz);
  const populated = await call("POST", `${version}:populateFiles`, {
    body: { files: { "/index.html": hash } },
  });
  expect(populated.status).toBe(200);
  const uploadUrl = String(populated.body.uploadUrl);
  if ((populated.body.uploadRequiredHashes as string[] | undefined)?.includes(hash)) {
    const sent = await (upload ?? ((url, h, bytes) => call("POST", `${url}/${h}`, { raw: bytes })))(
      uploadUrl,
      hash,
      gz,
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  }
  const finalized = await call("PATCH", version, {
    query: { updateMask: "status" },
    body: { status: "FINALIZED" },
  });
  expect(finalized.status, JSON.stringify(finalized.body)).toBe(200);
  return version;
}

beforeAll(async () => {
  if (onGoogle) {
    const firebaseProject = process.env.CONFORMANCE_FIREBASE_PROJECT;
    if (!firebaseProject)
      throw new Error("CONFORMANCE_FIREBASE_PROJECT is required when CONFORMANCE_TARGET=google.");
    project = firebaseProject;
    baseUrl = "https://firebasehosting.googleapis.com";
    auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/firebase.hosting"] });
  } else {
    project = "conformance";
    stateDir = await mkdtemp(join(tmpdir(), "echogate-conformance-hosting-"));
    emulator = await startHostingEmulator({ dir: stateDir });
    baseUrl = emulator.url;
  }
  const site = await call("POST", `projects/${project}/sites`, { query: { siteId }, body: {} });
  expect(site.status, JSON.stringify(site.body)).toBe(200);
});

afterAll(async () => {
  await call("DELETE", `projects/${project}/sites/${siteId}`).catch(() => undefined);
  await emulator?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("Firebase Hosting v1beta1 conformance (raw REST per the discovery document)", () => {
  it("writes to a site nobody created are 404; sites.create makes it, with its live channel", async () => {
    const ghost = `conf-${suffix}-ghost`;
    expect((await call("POST", `sites/${ghost}/versions`, { body: {} })).status).toBe(404);
    expect(
      (await call("POST", `sites/${ghost}/channels`, { query: { channelId: "pr-1" }, body: {} })).status,
    ).toBe(404);
    const clone = await call("POST", `sites/${ghost}/versions:clone`, {
      body: { sourceVersion: `sites/${ghost}/versions/nope` },
    });
    expect(clone.status).toBe(404);
    expect((await call("GET", `projects/${project}/sites/${ghost}`)).status).toBe(404);

    const site = await call("GET", `projects/${project}/sites/${siteId}`);
    expect(site.status).toBe(200);
    expect(site.body).toMatchObject({ name: `projects/${project}/sites/${siteId}`, type: "USER_SITE" });
    const listed = await call("GET", `projects/${project}/sites`);
    expect((listed.body.sites as Json[]).map((s) => s.name)).toContain(`projects/${project}/sites/${siteId}`);
    expect((await call("GET", `sites/${siteId}/channels/live`)).status).toBe(200);
    const again = await call("POST", `projects/${project}/sites`, { query: { siteId }, body: {} });
    expect(again.status).toBe(409);
  });

  it("refuses an unknown field in a request body with Google's 'Unknown name' 400", async () => {
    const reply = await call("POST", `sites/${siteId}/channels`, {
      query: { channelId: "typo" },
      body: { labels: {}, tll: "3600s" },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
    expect(JSON.stringify(reply.body)).toContain('Unknown name \\"tll\\"');
    expect((await call("GET", `sites/${siteId}/channels/typo`)).status).toBe(404);
  });

  it("channels.list answers 10 channels per page when pageSize is unset", async () => {
    for (let i = 0; i < 10; i++) {
      const made = await call("POST", `sites/${siteId}/channels`, {
        query: { channelId: `pr-${i}` },
        body: {},
      });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
    }
    const first = await call("GET", `sites/${siteId}/channels`);
    expect(first.body.channels as Json[]).toHaveLength(10);
    expect(first.body.nextPageToken).toBeTruthy();
    const second = await call("GET", `sites/${siteId}/channels`, {
      query: { pageToken: String(first.body.nextPageToken) },
    });
    expect((second.body.channels as Json[]).length).toBeGreaterThanOrEqual(1);
  });

  it("versions.list, versions.delete and the projects/*/sites/* form of the same routes", async () => {
    const version = await createdVersion();
    const id = version.split("/").at(-1)!;
    const listed = await call("GET", `sites/${siteId}/versions`);
    expect(listed.status).toBe(200);
    expect((listed.body.versions as Json[]).map((v) => v.name)).toContain(version);
    const viaProject = await call("GET", `projects/${project}/sites/${siteId}/versions/${id}`);
    expect(viaProject.status).toBe(200);
    expect(String(viaProject.body.name)).toMatch(new RegExp(`sites/${siteId}/versions/${id}$`));
    expect((await call("DELETE", `sites/${siteId}/versions/${id}`)).status).toBe(200);
    expect((await call("GET", `sites/${siteId}/versions/${id}`)).status).toBe(404);
  });

  it("releases.list lists a site's live releases, newest first, and a channel's", async () => {
    const first = await finalizedVersion("<p>one</p>");
    const second = await finalizedVersion("<p>two</p>");
    for (const version of [first, second]) {
      const released = await call("POST", `sites/${siteId}/releases`, {
        query: { versionName: version },
        body: {},
      });
      expect(released.status, JSON.stringify(released.body)).toBe(200);
    }
    for (const path of [`sites/${siteId}/releases`, `sites/${siteId}/channels/live/releases`]) {
      const listed = await call("GET", path);
      expect(listed.status).toBe(200);
      const versions = (listed.body.releases as Json[]).map((r) => (r.version as Json).name);
      expect(versions.slice(0, 2)).toEqual([second, first]);
    }
  });

  it("versions.patch replaces what updateMask names (labels), then status FINALIZED", async () => {
    const version = await createdVersion();
    const labelled = await call("PATCH", version, {
      query: { updateMask: "labels" },
      body: { labels: { team: "web" } },
    });
    expect(labelled.status, JSON.stringify(labelled.body)).toBe(200);
    expect(labelled.body.labels).toEqual({ team: "web" });
    expect(labelled.body.status).toBe("CREATED");
    const finalized = await call("PATCH", version, {
      query: { updateMask: "status" },
      body: { status: "FINALIZED" },
    });
    expect(finalized.body).toMatchObject({ status: "FINALIZED", labels: { team: "web" } });
  });

  it("populateFiles with no files answers nothing to upload; fileCount appears once finalized", async () => {
    const version = await createdVersion();
    const populated = await call("POST", `${version}:populateFiles`, { body: { files: {} } });
    expect(populated.status, JSON.stringify(populated.body)).toBe(200);
    expect((populated.body.uploadRequiredHashes as unknown[] | undefined) ?? []).toEqual([]);
    expect((await call("GET", version)).body.fileCount).toBeUndefined();
    const finalized = await finalizedVersion("<p>count</p>");
    expect((await call("GET", finalized)).body.fileCount).toBe("1");
  });

  it("accepts a multipart upload of a file's content", async () => {
    const boundary = "conformance-boundary";
    const version = await finalizedVersion(`<p>multipart ${suffix}</p>`, (url, hash, gz) =>
      call("POST", `${url}/${hash}`, {
        contentType: `multipart/related; boundary=${boundary}`,
        raw: Buffer.concat([
          Buffer.from(`--${boundary}\r\ncontent-type: application/json\r\n\r\n{}\r\n`),
          Buffer.from(`--${boundary}\r\ncontent-type: application/octet-stream\r\n\r\n`),
          gz,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      }),
    );
    expect((await call("GET", version)).body.status).toBe("FINALIZED");
  });

  it.skipIf(onGoogle)(
    "a URL that is no method is 404; a reference method the emulator lacks is 501",
    async () => {
      const unknown = await call("GET", `sites/${siteId}/nonsense`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ error: { status: "NOT_FOUND" } });
      const domains = await call("GET", `sites/${siteId}/domains`);
      expect(domains.status).toBe(501);
      expect(domains.body).toMatchObject({ error: { code: 501, status: "UNIMPLEMENTED" } });
    },
  );
});

/** Files added to a CREATED version; the first `uploaded` of them sent. */
async function versionWithFiles(contents: string[], uploaded: number) {
  const version = await createdVersion();
  const files = contents.map((content, i) => {
    const gz = gzipSync(Buffer.from(`${content} ${suffix}`));
    return { path: `/f${i}.html`, gz, hash: sha256(gz) };
  });
  const populated = await call("POST", `${version}:populateFiles`, {
    body: { files: Object.fromEntries(files.map((f) => [f.path, f.hash])) },
  });
  expect(populated.status, JSON.stringify(populated.body)).toBe(200);
  const upload = async (file: { hash: string; gz: Buffer }) => {
    const sent = await call("POST", `${populated.body.uploadUrl}/${file.hash}`, { raw: file.gz });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  };
  for (const file of files.slice(0, uploaded)) await upload(file);
  return { version, files, upload };
}

describe("Firebase Hosting v1beta1: what Google refuses, and what it accepts", () => {
  it("refuses a channel's retainedReleaseCount outside 1–100, on create and on patch", async () => {
    for (const count of [0, 101, -1]) {
      const made = await call("POST", `sites/${siteId}/channels`, {
        query: { channelId: `keep-${count < 0 ? "neg" : count}` },
        body: { retainedReleaseCount: count },
      });
      expect(made.status, `retainedReleaseCount ${count}: ${JSON.stringify(made.body)}`).toBe(400);
      expect(made.body).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
    }
    const kept = await call("POST", `sites/${siteId}/channels`, {
      query: { channelId: "keep-100" },
      body: { retainedReleaseCount: 100 },
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body.retainedReleaseCount).toBe(100);
    const patched = await call("PATCH", `sites/${siteId}/channels/keep-100`, {
      query: { updateMask: "retainedReleaseCount" },
      body: { retainedReleaseCount: 0 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(400);
    expect((await call("GET", `sites/${siteId}/channels/keep-100`)).body.retainedReleaseCount).toBe(100);
  });

  it("refuses a query parameter the method does not take (400 'Cannot bind query parameter')", async () => {
    const typo = await call("POST", `sites/${siteId}/channels`, {
      query: { channelId: "qp-typo", ttlSeconds: "60" },
      body: {},
    });
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
    expect(String((typo.body.error as Json).message)).toContain('"ttlSeconds"');
    expect((await call("GET", `sites/${siteId}/channels/qp-typo`)).status).toBe(404);

    const version = await createdVersion();
    const misspelt = await call("PATCH", version, {
      query: { update_mask: "labels", updateMsk: "labels" },
      body: { labels: { a: "b" } },
    });
    expect(misspelt.status).toBe(400);
    expect(String((misspelt.body.error as Json).message)).toContain('"updateMsk"');
    // System parameters every Google API binds pass.
    expect((await call("GET", version, { query: { prettyPrint: "false" } })).status).toBe(200);
  });

  it("versions.patch without updateMask updates only status: other fields are ignored, no status is refused", async () => {
    const version = await createdVersion();
    const labelsOnly = await call("PATCH", version, { body: { labels: { team: "web" } } });
    expect(labelsOnly.status, JSON.stringify(labelsOnly.body)).toBe(400);
    const unchanged = await call("GET", version);
    expect(unchanged.body).toMatchObject({ status: "CREATED" });
    expect(unchanged.body.labels ?? {}).toEqual({});

    const finalized = await call("PATCH", version, {
      body: { status: "FINALIZED", labels: { team: "web" } },
    });
    expect(finalized.status, JSON.stringify(finalized.body)).toBe(200);
    expect(finalized.body.status).toBe("FINALIZED");
    expect(finalized.body.labels ?? {}).toEqual({});
  });

  it("accepts a SITE_DISABLE release without versionName; the channel then serves nothing", async () => {
    const version = await finalizedVersion(`<p>before disable ${suffix}</p>`);
    const channelId = "disable-me";
    expect((await call("POST", `sites/${siteId}/channels`, { query: { channelId }, body: {} })).status).toBe(
      200,
    );
    const deployed = await call("POST", `sites/${siteId}/channels/${channelId}/releases`, {
      query: { versionName: version },
      body: {},
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(200);
    const disabled = await call("POST", `sites/${siteId}/channels/${channelId}/releases`, {
      body: { type: "SITE_DISABLE" },
    });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body.type).toBe("SITE_DISABLE");
    const listed = await call("GET", `sites/${siteId}/channels/${channelId}/releases`);
    expect((listed.body.releases as Json[])[0]).toMatchObject({ type: "SITE_DISABLE" });
    if (emulator) {
      const served = await fetch(`${emulator.channelUrl(siteId, channelId)}/index.html`);
      await served.arrayBuffer();
      expect(served.status).toBe(404);
    }
  });

  it("accepts channel ids with '_' and '.'", async () => {
    for (const channelId of ["pr_12", "v1.2"]) {
      const made = await call("POST", `sites/${siteId}/channels`, { query: { channelId }, body: {} });
      expect(made.status, `${channelId}: ${JSON.stringify(made.body)}`).toBe(200);
      expect(made.body.name).toBe(`sites/${siteId}/channels/${channelId}`);
    }
  });

  it("files.list?status=EXPECTED lists only files still to upload, so a wait-until-empty loop ends", async () => {
    const { version, files, upload } = await versionWithFiles(["<p>one</p>", "<p>two</p>"], 1);
    const expected = await call("GET", `${version}/files`, { query: { status: "EXPECTED" } });
    expect(expected.status, JSON.stringify(expected.body)).toBe(200);
    expect((expected.body.files as Json[]).map((f) => f.path)).toEqual([files[1]!.path]);
    const active = await call("GET", `${version}/files`, { query: { status: "ACTIVE" } });
    expect((active.body.files as Json[]).map((f) => f.path)).toEqual([files[0]!.path]);

    await upload(files[1]!);
    const none = await call("GET", `${version}/files`, { query: { status: "EXPECTED" } });
    expect((none.body.files as Json[] | undefined) ?? []).toEqual([]);
  });

  it("sites.create?validateOnly=true answers the site it would create and creates nothing", async () => {
    const id = `conf-${suffix}-dry`;
    const dry = await call("POST", `projects/${project}/sites`, {
      query: { siteId: id, validateOnly: "true" },
      body: {},
    });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(String(dry.body.name)).toMatch(new RegExp(`/sites/${id}$`));
    expect((await call("GET", `projects/${project}/sites/${id}`)).status).toBe(404);
    const real = await call("POST", `projects/${project}/sites`, { query: { siteId: id }, body: {} });
    expect(real.status, JSON.stringify(real.body)).toBe(200);
    expect((await call("DELETE", `projects/${project}/sites/${id}`)).status).toBe(200);
  });

  it("the project's DEFAULT_SITE is listed as such; other sites are USER_SITE", async () => {
    // Google provisions the default site with Hosting; locally the site named after the project is it.
    if (emulator) await call("POST", `projects/${project}/sites`, { query: { siteId: project }, body: {} });
    const listed = await call("GET", `projects/${project}/sites`);
    const sites = listed.body.sites as Json[];
    const defaults = sites.filter((site) => site.type === "DEFAULT_SITE");
    expect(defaults, JSON.stringify(sites)).toHaveLength(1);
    if (emulator) expect(String(defaults[0]!.name)).toMatch(new RegExp(`/sites/${project}$`));
    expect(sites.find((site) => String(site.name).endsWith(`/sites/${siteId}`))?.type).toBe("USER_SITE");
  });

  it.skipIf(onGoogle)(
    "a project named by its number and by its id is one project (sites.create, list, get)",
    async () => {
      const projectId = `conf-${suffix}-proj`;
      const number = projectNumberOf(projectId);
      expect(number).toMatch(/^[1-9]\d{11}$/);
      const made = await call("POST", `projects/${number}/sites`, { query: { siteId: projectId }, body: {} });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      const second = `conf-${suffix}-other`;
      await call("POST", `projects/${projectId}/sites`, { query: { siteId: second }, body: {} });
      for (const identifier of [projectId, number]) {
        const listed = await call("GET", `projects/${identifier}/sites`);
        const byId = Object.fromEntries(
          (listed.body.sites as Json[]).map((site) => [String(site.name).split("/").at(-1), site.type]),
        );
        expect(byId, identifier).toEqual({ [projectId]: "DEFAULT_SITE", [second]: "USER_SITE" });
      }
      const elsewhere = await call("GET", `projects/${projectNumberOf(`${projectId}-x`)}/sites`);
      expect((elsewhere.body.sites as Json[] | undefined) ?? []).toEqual([]);
    },
  );

  it.skipIf(onGoogle)("sites.list answers 40 sites per page when pageSize is unset", async () => {
    const listProject = `conf-${suffix}-many`;
    for (let i = 0; i < 41; i++) {
      const made = await call("POST", `projects/${listProject}/sites`, {
        query: { siteId: `conf-${suffix}-m${String(i).padStart(2, "0")}` },
        body: {},
      });
      expect(made.status).toBe(200);
    }
    const first = await call("GET", `projects/${listProject}/sites`);
    expect(first.body.sites as Json[]).toHaveLength(40);
    const second = await call("GET", `projects/${listProject}/sites`, {
      query: { pageToken: String(first.body.nextPageToken) },
    });
    expect(second.body.sites as Json[]).toHaveLength(1);
  });
});

describe.skipIf(onGoogle)(
  "Firebase Hosting: a version left CREATED is abandoned (12 hours on Google)",
  () => {
    it("marks a CREATED version ABANDONED once the period has passed, and then refuses to finalize it", async () => {
      let clock = Date.parse("2026-01-01T00:00:00Z");
      const dir = await mkdtemp(join(tmpdir(), "echogate-conformance-abandon-"));
      const local = await startHostingEmulator({ dir, now: () => new Date(clock) });
      try {
        const base = local.url;
        const site = "abandon-site";
        expect(
          (await call("POST", "projects/p/sites", { base, query: { siteId: site }, body: {} })).status,
        ).toBe(200);
        const created = await call("POST", `sites/${site}/versions`, { base, body: {} });
        const version = String(created.body.name);
        const finalizedEarly = await call("POST", `sites/${site}/versions`, { base, body: {} });

        clock += 12 * 3_600_000;
        expect((await call("GET", version, { base })).body.status).toBe("CREATED");
        const finalized = await call("PATCH", String(finalizedEarly.body.name), {
          base,
          body: { status: "FINALIZED" },
        });
        expect(finalized.body.status).toBe("FINALIZED");

        clock += 1;
        expect((await call("GET", version, { base })).body.status).toBe("ABANDONED");
        expect((await call("GET", String(finalizedEarly.body.name), { base })).body.status).toBe("FINALIZED");
        const late = await call("PATCH", version, { base, body: { status: "FINALIZED" } });
        expect(late.status).toBe(400);
        expect(late.body).toMatchObject({ error: { status: "FAILED_PRECONDITION" } });
      } finally {
        await local.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("the period is an emulator option (short in tests)", async () => {
      let clock = Date.parse("2026-01-01T00:00:00Z");
      const dir = await mkdtemp(join(tmpdir(), "echogate-conformance-abandon-"));
      const local = await startHostingEmulator({
        dir,
        now: () => new Date(clock),
        abandonCreatedVersionsAfterMs: 1000,
      });
      try {
        const base = local.url;
        await call("POST", "projects/p/sites", { base, query: { siteId: "short" }, body: {} });
        const version = String((await call("POST", "sites/short/versions", { base, body: {} })).body.name);
        clock += 1001;
        expect((await call("GET", version, { base })).body.status).toBe("ABANDONED");
      } finally {
        await local.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
