import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { ServingConfig } from "@echogate/common/serving-config";
import { refuseForeignHost } from "../loopback-host.js";
import { ApiFailure, invalid, notFound } from "./api-failure.js";
import { BlobStore } from "./blob-store.js";
import { type ChannelListener, listenChannel } from "./channel-server.js";
import {
  ABANDON_CREATED_AFTER_MS,
  abandonStaleVersions,
  cloneVersion,
  createChannel,
  createRelease,
  createSite,
  createVersion,
  deleteChannel,
  deleteSite,
  deleteVersion,
  existingSite,
  expireChannels,
  getChannel,
  getVersion,
  inProject,
  LIVE,
  pageOf,
  patchChannel,
  patchVersion,
  populateFiles,
  renderChannel,
  renderRelease,
  renderSite,
  renderVersion,
  versionFiles,
} from "./hosting-logic.js";
import { checkHostingQuery } from "./hosting-query-params.js";
import { checkBody, sitePath, unrouted } from "./hosting-routes.js";
import { uploadedContent } from "./multipart.js";
import { cloudRunServiceUrl } from "./run-service-url.js";
import { type HostingState, loadState, StateWriter } from "./state.js";

export interface HostingEmulatorOptions {
  /** Where state.json and blobs/ live (default `<cwd>/.echogate/hosting`). */
  dir: string;
  port?: number;
  /** Preview channels per site before create answers 429. */
  channelQuota?: number;
  now?: () => Date;
  /** A version still CREATED this long after its creation becomes ABANDONED (Google: 12 hours). */
  abandonCreatedVersionsAfterMs?: number;
  /** Fails the request after this many uploads (tests: an interrupted deploy). */
  failUploadsAfter?: number;
  /**
   * The Cloud Run Admin API (the embedded emulator's) that `run` rewrites are resolved through:
   * a rewrite reaches the service of that name in the site's project. Unset: they answer 502.
   */
  cloudRunApi?: string;
}

interface HostingEmulatorStats {
  requests: number;
  uploads: number;
  byRoute: Record<string, number>;
}

export interface HostingEmulator {
  /** Base URL of the REST API (`<url>/v1beta1/...`). */
  url: string;
  stats: HostingEmulatorStats;
  resetStats(): void;
  /** URL serving a channel's current release, once the channel exists. */
  channelUrl(site: string, channel: string): string | undefined;
  close(): Promise<void>;
}

type Handler = (
  match: RegExpMatchArray,
  body: Record<string, unknown>,
  query: URLSearchParams,
  raw: Buffer,
) => Promise<unknown> | unknown;

export async function startHostingEmulator(options: HostingEmulatorOptions): Promise<HostingEmulator> {
  const now = options.now ?? (() => new Date());
  const channelQuota = options.channelQuota ?? 50;
  const abandonAfterMs = options.abandonCreatedVersionsAfterMs ?? ABANDON_CREATED_AFTER_MS;
  const stateFile = join(options.dir, "state.json");
  const state: HostingState = await loadState(stateFile);
  const writer = new StateWriter(stateFile);
  const blobs = await BlobStore.open(join(options.dir, "blobs"));
  const has = (hash: string) => blobs.has(hash);
  const listeners = new Map<string, ChannelListener>();
  const stats: HostingEmulatorStats = { requests: 0, uploads: 0, byRoute: {} };
  let baseUrl = "";

  const ensureListener = async (channelName: string): Promise<void> => {
    if (listeners.has(channelName)) return;
    const [, siteId, , channelId] = channelName.split("/");
    const record = state.sites[siteId!]?.channels[channelId!];
    const listener = await listenChannel(
      {
        release: () => {
          const channel = state.sites[siteId!]?.channels[channelId!];
          const release = channel?.releases[0];
          if (!release?.version) return undefined;
          const version = state.sites[siteId!]?.versions[release.version.split("/").at(-1)!];
          return version && { files: version.files, config: version.config as ServingConfig };
        },
        blob: (hash) => blobs.get(hash),
        serviceUrl: (target) =>
          cloudRunServiceUrl(options.cloudRunApi, state.sites[siteId!]?.project, target),
      },
      record?.port,
    );
    listeners.set(channelName, listener);
    if (record && record.port !== listener.port) {
      record.port = listener.port;
      await writer.save(state);
    }
  };
  const listenAll = async (): Promise<void> => {
    for (const record of Object.values(state.sites)) {
      for (const channel of Object.values(record.channels))
        if (!listeners.has(channel.name)) await ensureListener(channel.name);
    }
  };
  /** What time alone changes: expired channels go, stale CREATED versions are abandoned. */
  const applyTime = async (): Promise<void> => {
    const at = now();
    const expired = expireChannels(state, at);
    for (const name of expired) {
      await listeners.get(name)?.close();
      listeners.delete(name);
    }
    if (abandonStaleVersions(state, at, abandonAfterMs) || expired.length > 0) await writer.save(state);
  };
  const siteJson = async (siteId: string, projectIdentifier?: string) => {
    const record = existingSite(state, siteId);
    await ensureListener(`sites/${siteId}/channels/${LIVE}`);
    return renderSite(
      siteId,
      record,
      listeners.get(`sites/${siteId}/channels/${LIVE}`)?.url,
      projectIdentifier,
    );
  };
  const channelJson = async (siteId: string, channelId: string) => {
    const channel = getChannel(state, siteId, channelId);
    await ensureListener(channel.name);
    return renderChannel(channel, listeners.get(channel.name)?.url, state);
  };

  const routes: [string, string, RegExp, Handler][] = [
    [
      "POST",
      "versions.create",
      /^\/v1beta1\/sites\/([^/]+)\/versions$/,
      ([, s], body) => renderVersion(createVersion(state, s!, body, now())),
    ],
    [
      "POST",
      "versions.clone",
      /^\/v1beta1\/sites\/([^/]+)\/versions:clone$/,
      ([, s], body) => {
        const version = cloneVersion(state, s!, body, has, now());
        const name = `projects/-/operations/clone-${version.name.split("/").at(-1)}`;
        const operation = {
          name,
          done: true as const,
          response: {
            "@type": "type.googleapis.com/google.firebase.hosting.v1beta1.Version",
            ...renderVersion(version),
          },
        };
        state.operations[name] = operation;
        return operation;
      },
    ],
    [
      "POST",
      "versions.populateFiles",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+):populateFiles$/,
      ([, s, v], body) => ({
        ...populateFiles(getVersion(state, s!, v!), body.files, has),
        uploadUrl: `${baseUrl}/upload/sites/${s}/versions/${v}/files`,
      }),
    ],
    [
      "GET",
      "versions.get",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)$/,
      ([, s, v]) => renderVersion(getVersion(state, s!, v!)),
    ],
    [
      "PATCH",
      "versions.patch",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)$/,
      ([, s, v], body, query) =>
        renderVersion(patchVersion(getVersion(state, s!, v!), body, query.get("updateMask"), has, now())),
    ],
    [
      "GET",
      "versions.list",
      /^\/v1beta1\/sites\/([^/]+)\/versions$/,
      ([, s], _body, query) => {
        const versions = Object.values(existingSite(state, s!).versions)
          .sort((a, b) => b.createTime.localeCompare(a.createTime) || b.name.localeCompare(a.name))
          .map(renderVersion);
        const { items, nextPageToken } = pageOf(versions, query, 25, 100);
        return { versions: items, ...(nextPageToken ? { nextPageToken } : {}) };
      },
    ],
    [
      "DELETE",
      "versions.delete",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)$/,
      ([, s, v]) => {
        deleteVersion(state, s!, v!);
        return {};
      },
    ],
    [
      "GET",
      "versions.files.list",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)\/files$/,
      ([, s, v], _body, query) => {
        const files = versionFiles(getVersion(state, s!, v!), has, query.get("status"));
        const { items, nextPageToken } = pageOf(files, query, 1000, 1000);
        return { files: items, ...(nextPageToken ? { nextPageToken } : {}) };
      },
    ],
    [
      "POST",
      "sites.create",
      /^\/v1beta1\/projects\/([^/]+)\/sites$/,
      ([, p], body, query) => {
        const siteId = query.get("siteId");
        const validateOnly = query.get("validateOnly") === "true";
        const record = createSite(state, p!, siteId, body, now(), validateOnly);
        return renderSite(siteId!, record, undefined, p);
      },
    ],
    [
      "GET",
      "sites.list",
      /^\/v1beta1\/projects\/([^/]+)\/sites$/,
      async ([, p], _body, query) => {
        const ids = Object.keys(state.sites)
          .filter((id) => inProject(state.sites[id]!, p!))
          .sort();
        // Reference: "If unspecified, defaults to 40." (no maximum documented)
        const { items, nextPageToken } = pageOf(ids, query, 40, 100);
        const sites = [];
        for (const id of items) sites.push(await siteJson(id, p));
        return { sites, ...(nextPageToken ? { nextPageToken } : {}) };
      },
    ],
    ["GET", "sites.get", /^\/v1beta1\/projects\/([^/]+)\/sites\/([^/]+)$/, ([, p, s]) => siteJson(s!, p)],
    [
      "PATCH",
      "sites.patch",
      /^\/v1beta1\/projects\/[^/]+\/sites\/([^/]+)$/,
      ([, s], body, query) => {
        const record = existingSite(state, s!);
        const mask =
          query
            .get("updateMask")
            ?.split(",")
            .map((f) => f.trim()) ?? Object.keys(body);
        for (const field of mask) {
          if (field === "labels")
            record.labels = Object.fromEntries(
              Object.entries((body.labels as object) ?? {}).map(([k, v]) => [k, String(v)]),
            );
          else if (field === "appId") record.appId = typeof body.appId === "string" ? body.appId : undefined;
          else if (!["name", "defaultUrl", "type"].includes(field))
            throw invalid(`Field '${field}' can't be updated on a site (updatable: labels, appId).`);
        }
        return siteJson(s!);
      },
    ],
    [
      "DELETE",
      "sites.delete",
      /^\/v1beta1\/projects\/[^/]+\/sites\/([^/]+)$/,
      async ([, s]) => {
        const channels = Object.values(existingSite(state, s!).channels).map((c) => c.name);
        deleteSite(state, s!);
        for (const name of channels) {
          await listeners.get(name)?.close();
          listeners.delete(name);
        }
        return {};
      },
    ],
    [
      "POST",
      "upload",
      /^\/upload\/sites\/([^/]+)\/versions\/([^/]+)\/files\/([a-f0-9]{64})$/,
      async ([, s, v, hash], _body, _query, raw) => {
        getVersion(state, s!, v!);
        if (options.failUploadsAfter !== undefined && stats.uploads >= options.failUploadsAfter) {
          throw new ApiFailure(503, "UNAVAILABLE", "Upload backend unavailable (injected fault).");
        }
        if (!(await blobs.put(hash!, raw))) throw invalid(`Uploaded content does not hash to ${hash}.`);
        stats.uploads++;
        return {};
      },
    ],
    [
      "POST",
      "channels.create",
      /^\/v1beta1\/sites\/([^/]+)\/channels$/,
      async ([, s], body, query) => {
        const channel = createChannel(state, s!, query.get("channelId"), body, { now: now(), channelQuota });
        return channelJson(s!, channel.name.split("/").at(-1)!);
      },
    ],
    [
      "GET",
      "channels.list",
      /^\/v1beta1\/sites\/([^/]+)\/channels$/,
      async ([, s], _body, query) => {
        const ids = Object.keys(existingSite(state, s!).channels).sort();
        // Reference: "If unspecified, defaults to 10. The maximum value is 100."
        const { items, nextPageToken } = pageOf(ids, query, 10, 100);
        const channels = [];
        for (const id of items) channels.push(await channelJson(s!, id));
        return { channels, ...(nextPageToken ? { nextPageToken } : {}) };
      },
    ],
    [
      "GET",
      "channels.get",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)$/,
      ([, s, c]) => channelJson(s!, c!),
    ],
    [
      "PATCH",
      "channels.patch",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)$/,
      ([, s, c], body, query) => {
        patchChannel(getChannel(state, s!, c!), body, query.get("updateMask"), now());
        return channelJson(s!, c!);
      },
    ],
    [
      "DELETE",
      "channels.delete",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)$/,
      async ([, s, c]) => {
        deleteChannel(state, s!, c!);
        const name = `sites/${s}/channels/${c}`;
        await listeners.get(name)?.close();
        listeners.delete(name);
        return {};
      },
    ],
    [
      "POST",
      "releases.create",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)\/releases$/,
      async ([, s, c], body, query) => {
        const release = createRelease(state, s!, c!, query.get("versionName"), body, now());
        await ensureListener(`sites/${s}/channels/${c}`);
        return renderRelease(release, state, s!);
      },
    ],
    [
      "POST",
      "releases.create",
      /^\/v1beta1\/sites\/([^/]+)\/releases$/,
      ([, s], body, query) =>
        renderRelease(createRelease(state, s!, LIVE, query.get("versionName"), body, now()), state, s!),
    ],
    [
      "GET",
      "releases.list",
      /^\/v1beta1\/sites\/([^/]+)(?:\/channels\/([^/]+))?\/releases$/,
      ([, s, c], _body, query) => {
        const channel = getChannel(state, s!, c ?? LIVE);
        const releases = channel.releases.map((release) => renderRelease(release, state, s!));
        const { items, nextPageToken } = pageOf(releases, query, 100, 100);
        return { releases: items, ...(nextPageToken ? { nextPageToken } : {}) };
      },
    ],
    [
      "GET",
      "releases.get",
      /^\/v1beta1\/sites\/([^/]+)(?:\/channels\/([^/]+))?\/releases\/([^/]+)$/,
      ([, s, c, r]) => {
        const channel = getChannel(state, s!, c ?? LIVE);
        const release = channel.releases.find((item) => item.name.endsWith(`/releases/${r}`));
        if (!release) throw notFound(`Release ${channel.name}/releases/${r} not found.`);
        return renderRelease(release, state, s!);
      },
    ],
    [
      "GET",
      "operations.get",
      /^\/v1beta1\/(projects\/[^/]+\/operations\/[^/]+)$/,
      ([, name]) => {
        const operation = state.operations[name!];
        if (!operation) throw notFound(`Operation ${name} not found.`);
        return operation;
      },
    ],
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    stats.requests++;
    let status = 200;
    let payload: unknown;
    try {
      const path = sitePath(url.pathname);
      const route = routes.find(([method, , pattern]) => method === req.method && pattern.test(path));
      if (!route) throw unrouted(req.method ?? "GET", path);
      stats.byRoute[route[1]] = (stats.byRoute[route[1]] ?? 0) + 1;
      checkHostingQuery(route[1], url.searchParams);
      await applyTime();
      const isUpload = route[1] === "upload";
      let body: Record<string, unknown> = {};
      if (!isUpload && raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
        } catch {
          throw invalid("Request body is not valid JSON.");
        }
      }
      checkBody(route[1], body);
      const content = isUpload ? uploadedContent(req.headers["content-type"], raw) : raw;
      payload = await route[3](path.match(route[2])!, body, url.searchParams, content);
      if (req.method !== "GET" && !isUpload) {
        await writer.save(state);
        await listenAll();
      }
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure(500, "INTERNAL", String(error));
      status = failure.httpStatus;
      payload = failure.body();
    }
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
  };

  // Requests being handled: close() lets them finish, so what was accepted is stored (or not) for good.
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    if (refuseForeignHost(server, req, res)) return;
    const handling = handle(req, res)
      .catch(() => void res.writeHead(500).end())
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await applyTime();
  await listenAll();

  return {
    url: baseUrl,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.uploads = 0;
      stats.byRoute = {};
    },
    channelUrl: (siteId, channelId) => listeners.get(`sites/${siteId}/channels/${channelId}`)?.url,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.allSettled(inFlight);
      await writer.flush();
      await Promise.all([...listeners.values()].map((listener) => listener.close()));
      await closed;
    },
  };
}
