import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { GoogleAuth } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type HostingEmulator,
  startHostingEmulator,
} from "../../deploy/emulator/hosting/start-hosting-emulator.js";
import { onGoogle } from "./target.js";

// Firebase Hosting REST API v1beta1 behaviours (issue 14, items 1, 6, 7, 8), called as raw REST
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
  options: { query?: Record<string, string>; body?: unknown; raw?: Buffer; contentType?: string } = {},
): Promise<Reply> {
  const url = new URL(path.startsWith("http") ? path : `${baseUrl}/v1beta1/${path}`);
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
  it("item 1: writes to a site nobody created are 404; sites.create makes it, with its live channel", async () => {
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

  it("item 2: refuses an unknown field in a request body with Google's 'Unknown name' 400", async () => {
    const reply = await call("POST", `sites/${siteId}/channels`, {
      query: { channelId: "typo" },
      body: { labels: {}, tll: "3600s" },
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
    expect(JSON.stringify(reply.body)).toContain('Unknown name \\"tll\\"');
    expect((await call("GET", `sites/${siteId}/channels/typo`)).status).toBe(404);
  });

  it("item 7: channels.list answers 10 channels per page when pageSize is unset", async () => {
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

  it("item 7: versions.list, versions.delete and the projects/*/sites/* form of the same routes", async () => {
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

  it("item 7: releases.list lists a site's live releases, newest first, and a channel's", async () => {
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

  it("item 6: versions.patch replaces what updateMask names (labels), then status FINALIZED", async () => {
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

  it("item 8: populateFiles with no files answers nothing to upload; fileCount appears once finalized", async () => {
    const version = await createdVersion();
    const populated = await call("POST", `${version}:populateFiles`, { body: { files: {} } });
    expect(populated.status, JSON.stringify(populated.body)).toBe(200);
    expect((populated.body.uploadRequiredHashes as unknown[] | undefined) ?? []).toEqual([]);
    expect((await call("GET", version)).body.fileCount).toBeUndefined();
    const finalized = await finalizedVersion("<p>count</p>");
    expect((await call("GET", finalized)).body.fileCount).toBe("1");
  });

  it("item 8: accepts a multipart upload of a file's content", async () => {
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
    "item 7: a URL that is no method is 404; a reference method the emulator lacks is 501",
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
