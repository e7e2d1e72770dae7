import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { restHandler } from "../google-rest/rest-api.js";
import { refuseForeignHost } from "../loopback-host.js";
import { BlobStore } from "./blob-store.js";
import { ChannelListeners } from "./channel-listeners.js";
import { applyTime, type HostingContext, type HostingStats, hostingApi } from "./hosting-api.js";
import { ABANDON_CREATED_AFTER_MS } from "./hosting-logic.js";
import { loadState, StateWriter } from "./state.js";

export interface HostingEmulatorOptions {
  /** Where state.json and blobs/ live (default `<cwd>/.echogate/hosting`). */
  dir: string;
  port?: number;
  /** Preview channels per site before create answers 429. */
  channelQuota?: number;
  now?: () => Date;
  /** A version still CREATED this long after its creation becomes ABANDONED (Google: 12 hours). */
  abandonCreatedVersionsAfterMs?: number;
  /**
   * Refuses uploads after this many (tests: a deploy that fails part-way), with PERMISSION_DENIED:
   * a failure the client does not retry, so a test does not wait out its backoff.
   */
  failUploadsAfter?: number;
  /**
   * The Cloud Run Admin API (the embedded emulator's) that `run` rewrites are resolved through:
   * a rewrite reaches the service of that name in the site's project. Unset: they answer 502.
   */
  cloudRunApi?: string;
}

export interface HostingEmulator {
  /** Base URL of the REST API (`<url>/v1beta1/...`). */
  url: string;
  stats: HostingStats;
  resetStats(): void;
  /** URL serving a channel's current release, once the channel exists. */
  channelUrl(site: string, channel: string): string | undefined;
  close(): Promise<void>;
}

/** Starts the Firebase Hosting REST API v1beta1 emulator on loopback, with a server per channel. */
export async function startHostingEmulator(options: HostingEmulatorOptions): Promise<HostingEmulator> {
  // Its state: sites, versions, channels and releases in state.json; uploaded files by hash.
  const stateFile = join(options.dir, "state.json");
  const state = await loadState(stateFile);
  const writer = new StateWriter(stateFile);
  const blobs = await BlobStore.open(join(options.dir, "blobs"));
  const listeners = new ChannelListeners(state, writer, blobs, options.cloudRunApi);
  const stats: HostingStats = { requests: 0, uploads: 0, byRoute: {} };
  let url = "";
  const context: HostingContext = {
    state,
    writer,
    blobs,
    listeners,
    stats,
    now: options.now ?? (() => new Date()),
    channelQuota: options.channelQuota ?? 50,
    abandonAfterMs: options.abandonCreatedVersionsAfterMs ?? ABANDON_CREATED_AFTER_MS,
    failUploadsAfter: options.failUploadsAfter,
    baseUrl: () => url,
  };

  // Its API.
  const handle = restHandler(hostingApi(context));
  const server = await serve((req, res) => {
    stats.requests++;
    return handle(req, res);
  }, options.port);
  url = server.url;

  // Time passed while it was stopped; channels stored before serve again.
  await applyTime(context);
  await listeners.ensureAll();

  return {
    url,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.uploads = 0;
      stats.byRoute = {};
    },
    channelUrl: (siteId, channelId) => listeners.url(`sites/${siteId}/channels/${channelId}`),
    async close() {
      await server.close();
      await writer.flush();
      await listeners.closeAll();
    },
  };
}

/**
 * Listens on 127.0.0.1 for requests naming it (DNS rebinding), and on close lets the requests
 * being handled finish: what was accepted is stored (or not) for good.
 */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
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
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.allSettled(inFlight);
      await closed;
    },
  };
}
