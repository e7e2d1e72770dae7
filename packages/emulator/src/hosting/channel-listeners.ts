import type { ServingConfig } from "@echogate/common/serving-config";
import type { BlobStore } from "./blob-store.js";
import { type ChannelListener, listenChannel } from "./channel-server.js";
import { cloudRunServiceUrl } from "./run-service-url.js";
import type { HostingState, StateWriter } from "./state.js";

/**
 * One loopback server per channel (`sites/S/channels/C`), serving its current release: started
 * when the channel is first read or released to, on the port it had before when that is free.
 */
export class ChannelListeners {
  private readonly listeners = new Map<string, ChannelListener>();

  constructor(
    private readonly state: HostingState,
    private readonly writer: StateWriter,
    private readonly blobs: BlobStore,
    /** The Cloud Run Admin API `run` rewrites are resolved through (unset: they answer 502). */
    private readonly cloudRunApi: string | undefined,
  ) {}

  url(channelName: string): string | undefined {
    return this.listeners.get(channelName)?.url;
  }

  async ensure(channelName: string): Promise<void> {
    if (this.listeners.has(channelName)) return;
    const [, siteId, , channelId] = channelName.split("/");
    const { state } = this;
    const record = state.sites[siteId!]?.channels[channelId!];
    const listener = await listenChannel(
      {
        release: () => {
          const release = state.sites[siteId!]?.channels[channelId!]?.releases[0];
          if (!release?.version) return undefined;
          const version = state.sites[siteId!]?.versions[release.version.split("/").at(-1)!];
          return version && { files: version.files, config: version.config as ServingConfig };
        },
        blob: (hash) => this.blobs.get(hash),
        serviceUrl: (target) => cloudRunServiceUrl(this.cloudRunApi, state.sites[siteId!]?.project, target),
      },
      record?.port,
    );
    this.listeners.set(channelName, listener);
    if (record && record.port !== listener.port) {
      record.port = listener.port;
      await this.writer.save(state);
    }
  }

  /** Every stored channel serves (after a restart, or channels a write created). */
  async ensureAll(): Promise<void> {
    for (const site of Object.values(this.state.sites))
      for (const channel of Object.values(site.channels)) await this.ensure(channel.name);
  }

  async close(channelName: string): Promise<void> {
    await this.listeners.get(channelName)?.close();
    this.listeners.delete(channelName);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((listener) => listener.close()));
    this.listeners.clear();
  }
}
