import { ApiError } from "../google-rest/api-error.js";
import { operationOf } from "../google-rest/operations.js";
import { pageOf } from "../google-rest/pagination.js";
import { type RestApi, type RestRoute, route } from "../google-rest/rest-api.js";
import type { BlobStore } from "./blob-store.js";
import type { ChannelListeners } from "./channel-listeners.js";
import {
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
  patchChannel,
  patchSite,
  patchVersion,
  populateFiles,
  renderChannel,
  renderRelease,
  renderSite,
  renderVersion,
  versionFiles,
} from "./hosting-logic.js";
import { HOSTING_QUERY_PARAMS } from "./hosting-query-params.js";
import { checkBody, hostingUnrouted, sitePath } from "./hosting-routes.js";
import { uploadedContent } from "./multipart.js";
import type { HostingState, StateWriter } from "./state.js";

// The Firebase Hosting REST API v1beta1 methods the emulator serves, over its state.

export interface HostingStats {
  requests: number;
  uploads: number;
  byRoute: Record<string, number>;
}

export interface HostingContext {
  state: HostingState;
  writer: StateWriter;
  blobs: BlobStore;
  listeners: ChannelListeners;
  stats: HostingStats;
  now: () => Date;
  channelQuota: number;
  abandonAfterMs: number;
  failUploadsAfter: number | undefined;
  /** This API's own URL (the upload URL populateFiles answers is under it). */
  baseUrl: () => string;
}

const VERSION_TYPE = "type.googleapis.com/google.firebase.hosting.v1beta1.Version";

export function hostingApi(ctx: HostingContext): RestApi {
  return {
    routes: [...versionRoutes(ctx), ...siteRoutes(ctx), ...channelRoutes(ctx), ...releaseRoutes(ctx)],
    unrouted: hostingUnrouted,
    boundQuery: HOSTING_QUERY_PARAMS,
    normalizePath: sitePath,
    async check(route, request) {
      ctx.stats.byRoute[route.id] = (ctx.stats.byRoute[route.id] ?? 0) + 1;
      await applyTime(ctx);
      checkBody(route.id, request.body);
    },
    async settled(route, request) {
      if (request.method === "GET" || route.rawBody) return;
      await ctx.writer.save(ctx.state);
      await ctx.listeners.ensureAll();
    },
  };
}

/** What time alone changes: expired channels go, stale CREATED versions are abandoned. */
export async function applyTime(ctx: HostingContext): Promise<void> {
  const at = ctx.now();
  const expired = expireChannels(ctx.state, at);
  for (const name of expired) await ctx.listeners.close(name);
  if (abandonStaleVersions(ctx.state, at, ctx.abandonAfterMs) || expired.length > 0)
    await ctx.writer.save(ctx.state);
}

const has = (ctx: HostingContext) => (hash: string) => ctx.blobs.has(hash);

function versionRoutes(ctx: HostingContext): RestRoute[] {
  const { state, now } = ctx;
  return [
    route("POST", "versions.create", /^\/v1beta1\/sites\/([^/]+)\/versions$/, ({ body }, [s]) =>
      renderVersion(createVersion(state, s!, body, now())),
    ),
    route("POST", "versions.clone", /^\/v1beta1\/sites\/([^/]+)\/versions:clone$/, ({ body }, [s]) => {
      const version = cloneVersion(state, s!, body, has(ctx), now());
      const name = `projects/-/operations/clone-${version.name.split("/").at(-1)}`;
      const operation = operationOf(name, VERSION_TYPE, { done: true, response: renderVersion(version) });
      state.operations[name] = operation;
      return operation;
    }),
    route(
      "POST",
      "versions.populateFiles",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+):populateFiles$/,
      ({ body }, [s, v]) => ({
        ...populateFiles(getVersion(state, s!, v!), body.files, has(ctx)),
        uploadUrl: `${ctx.baseUrl()}/upload/sites/${s}/versions/${v}/files`,
      }),
    ),
    route("GET", "versions.get", /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)$/, (_r, [s, v]) =>
      renderVersion(getVersion(state, s!, v!)),
    ),
    route(
      "PATCH",
      "versions.patch",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)$/,
      ({ body, query }, [s, v]) =>
        renderVersion(
          patchVersion(getVersion(state, s!, v!), body, query.get("updateMask"), has(ctx), now()),
        ),
    ),
    route("GET", "versions.list", /^\/v1beta1\/sites\/([^/]+)\/versions$/, ({ query }, [s]) => {
      const versions = Object.values(existingSite(state, s!).versions)
        .sort((a, b) => b.createTime.localeCompare(a.createTime) || b.name.localeCompare(a.name))
        .map(renderVersion);
      const page = pageOf(versions, query, { defaultSize: 25, maxSize: 100 });
      return { versions: page.items, ...page.next };
    }),
    route("DELETE", "versions.delete", /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)$/, (_r, [s, v]) => {
      deleteVersion(state, s!, v!);
      return {};
    }),
    route(
      "GET",
      "versions.files.list",
      /^\/v1beta1\/sites\/([^/]+)\/versions\/([^/:]+)\/files$/,
      ({ query }, [s, v]) => {
        const files = versionFiles(getVersion(state, s!, v!), has(ctx), query.get("status"));
        const page = pageOf(files, query, { defaultSize: 1000, maxSize: 1000 });
        return { files: page.items, ...page.next };
      },
    ),
    route(
      "POST",
      "upload",
      /^\/upload\/sites\/([^/]+)\/versions\/([^/]+)\/files\/([a-f0-9]{64})$/,
      async ({ headers, raw }, [s, v, hash]) => {
        const content = uploadedContent(headers["content-type"], raw);
        getVersion(state, s!, v!);
        if (ctx.failUploadsAfter !== undefined && ctx.stats.uploads >= ctx.failUploadsAfter)
          throw new ApiError("PERMISSION_DENIED", "The caller may not upload to this site (injected fault).");
        if (!(await ctx.blobs.put(hash!, content)))
          throw new ApiError("INVALID_ARGUMENT", `Uploaded content does not hash to ${hash}.`);
        ctx.stats.uploads++;
        return {};
      },
      { rawBody: true },
    ),
  ];
}

async function siteJson(ctx: HostingContext, siteId: string, projectIdentifier?: string) {
  const record = existingSite(ctx.state, siteId);
  const live = `sites/${siteId}/channels/${LIVE}`;
  await ctx.listeners.ensure(live);
  return renderSite(siteId, record, ctx.listeners.url(live), projectIdentifier);
}

function siteRoutes(ctx: HostingContext): RestRoute[] {
  const { state, now } = ctx;
  return [
    route("POST", "sites.create", /^\/v1beta1\/projects\/([^/]+)\/sites$/, ({ body, query }, [p]) => {
      const siteId = query.get("siteId");
      const validateOnly = query.get("validateOnly") === "true";
      const record = createSite(state, p!, siteId, body, now(), validateOnly);
      return renderSite(siteId!, record, undefined, p);
    }),
    route("GET", "sites.list", /^\/v1beta1\/projects\/([^/]+)\/sites$/, async ({ query }, [p]) => {
      const ids = Object.keys(state.sites)
        .filter((id) => inProject(state.sites[id]!, p!))
        .sort();
      // Reference: "If unspecified, defaults to 40." (no maximum documented)
      const page = pageOf(ids, query, { defaultSize: 40, maxSize: 100 });
      const sites = [];
      for (const id of page.items) sites.push(await siteJson(ctx, id, p));
      return { sites, ...page.next };
    }),
    route("GET", "sites.get", /^\/v1beta1\/projects\/([^/]+)\/sites\/([^/]+)$/, (_r, [p, s]) =>
      siteJson(ctx, s!, p),
    ),
    route("PATCH", "sites.patch", /^\/v1beta1\/projects\/[^/]+\/sites\/([^/]+)$/, ({ body, query }, [s]) => {
      patchSite(existingSite(state, s!), body, query.get("updateMask"));
      return siteJson(ctx, s!);
    }),
    route("DELETE", "sites.delete", /^\/v1beta1\/projects\/[^/]+\/sites\/([^/]+)$/, async (_r, [s]) => {
      const channels = Object.values(existingSite(state, s!).channels).map((c) => c.name);
      deleteSite(state, s!);
      for (const name of channels) await ctx.listeners.close(name);
      return {};
    }),
    route("GET", "operations.get", /^\/v1beta1\/(projects\/[^/]+\/operations\/[^/]+)$/, (_r, [name]) => {
      const operation = state.operations[name!];
      if (!operation) throw new ApiError("NOT_FOUND", `Operation ${name} not found.`);
      return operation;
    }),
  ];
}

async function channelJson(ctx: HostingContext, siteId: string, channelId: string) {
  const channel = getChannel(ctx.state, siteId, channelId);
  await ctx.listeners.ensure(channel.name);
  return renderChannel(channel, ctx.listeners.url(channel.name), ctx.state);
}

function channelRoutes(ctx: HostingContext): RestRoute[] {
  const { state, now } = ctx;
  return [
    route("POST", "channels.create", /^\/v1beta1\/sites\/([^/]+)\/channels$/, ({ body, query }, [s]) => {
      const channel = createChannel(state, s!, query.get("channelId"), body, {
        now: now(),
        channelQuota: ctx.channelQuota,
      });
      return channelJson(ctx, s!, channel.name.split("/").at(-1)!);
    }),
    route("GET", "channels.list", /^\/v1beta1\/sites\/([^/]+)\/channels$/, async ({ query }, [s]) => {
      const ids = Object.keys(existingSite(state, s!).channels).sort();
      // Reference: "If unspecified, defaults to 10. The maximum value is 100."
      const page = pageOf(ids, query, { defaultSize: 10, maxSize: 100 });
      const channels = [];
      for (const id of page.items) channels.push(await channelJson(ctx, s!, id));
      return { channels, ...page.next };
    }),
    route("GET", "channels.get", /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)$/, (_r, [s, c]) =>
      channelJson(ctx, s!, c!),
    ),
    route(
      "PATCH",
      "channels.patch",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)$/,
      ({ body, query }, [s, c]) => {
        patchChannel(getChannel(state, s!, c!), body, query.get("updateMask"), now());
        return channelJson(ctx, s!, c!);
      },
    ),
    route(
      "DELETE",
      "channels.delete",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)$/,
      async (_r, [s, c]) => {
        deleteChannel(state, s!, c!);
        await ctx.listeners.close(`sites/${s}/channels/${c}`);
        return {};
      },
    ),
  ];
}

function releaseRoutes(ctx: HostingContext): RestRoute[] {
  const { state, now } = ctx;
  return [
    route(
      "POST",
      "releases.create",
      /^\/v1beta1\/sites\/([^/]+)\/channels\/([^/]+)\/releases$/,
      async ({ body, query }, [s, c]) => {
        const release = createRelease(state, s!, c!, query.get("versionName"), body, now());
        await ctx.listeners.ensure(`sites/${s}/channels/${c}`);
        return renderRelease(release, state, s!);
      },
    ),
    route("POST", "releases.create", /^\/v1beta1\/sites\/([^/]+)\/releases$/, ({ body, query }, [s]) =>
      renderRelease(createRelease(state, s!, LIVE, query.get("versionName"), body, now()), state, s!),
    ),
    route(
      "GET",
      "releases.list",
      /^\/v1beta1\/sites\/([^/]+)(?:\/channels\/([^/]+))?\/releases$/,
      ({ query }, [s, c]) => {
        const channel = getChannel(state, s!, c ?? LIVE);
        const releases = channel.releases.map((release) => renderRelease(release, state, s!));
        const page = pageOf(releases, query, { defaultSize: 100, maxSize: 100 });
        return { releases: page.items, ...page.next };
      },
    ),
    route(
      "GET",
      "releases.get",
      /^\/v1beta1\/sites\/([^/]+)(?:\/channels\/([^/]+))?\/releases\/([^/]+)$/,
      (_r, [s, c, r]) => {
        const channel = getChannel(state, s!, c ?? LIVE);
        const release = channel.releases.find((item) => item.name.endsWith(`/releases/${r}`));
        if (!release) throw new ApiError("NOT_FOUND", `Release ${channel.name}/releases/${r} not found.`);
        return renderRelease(release, state, s!);
      },
    ),
  ];
}
