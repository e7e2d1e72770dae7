import { toGoogleDuration } from "@echogate/common/google-duration";
import type { ServingConfig } from "@echogate/common/serving-config";
import { PlatformError } from "../../core/errors.js";
import { HostingApiClient, type HostingClientOptions } from "./api-client.js";

export interface HostingVersion {
  name: string;
  status: "CREATED" | "FINALIZED" | "DELETED" | "ABANDONED" | "EXPIRED" | "CLONING";
  labels?: Record<string, string>;
  createTime?: string;
  finalizeTime?: string;
}

export interface HostingRelease {
  name: string;
  version: HostingVersion;
  releaseTime: string;
  message?: string;
}

export interface HostingChannel {
  name: string;
  url?: string;
  release?: HostingRelease;
  createTime: string;
  updateTime: string;
  expireTime?: string;
  labels?: Record<string, string>;
}

interface PopulateResult {
  uploadRequiredHashes: string[];
  uploadUrl: string;
}

interface Operation {
  name: string;
  done?: boolean;
  error?: { code?: number; message?: string };
  response?: HostingVersion;
}

export const channelId = (channel: Pick<HostingChannel, "name">): string => channel.name.split("/").at(-1)!;
export const versionId = (name: string): string => name.split("/").at(-1)!;

/**
 * The one Firebase Hosting adapter (REST v1beta1). The local hosting emulator speaks the same
 * subset, so tests and `provider: local` run this exact code with `auth: "none"`.
 */
export class FirebaseHostingAdapter {
  readonly api: HostingApiClient;

  constructor(options: HostingClientOptions) {
    this.api = new HostingApiClient(options);
  }

  /** `config` is the version's ServingConfig (rewrites, redirects, headers, …), fixed once finalized. */
  createVersion(
    site: string,
    labels: Record<string, string>,
    config: ServingConfig,
    signal?: AbortSignal,
  ): Promise<HostingVersion> {
    return this.api.json("POST", `sites/${site}/versions`, `create a version on site ${site}`, {
      body: { labels, config },
      ...(signal ? { signal } : {}),
    });
  }

  /** Replaces the ServingConfig of a version still CREATED (a clone carries its source's). */
  setVersionConfig(versionName: string, config: ServingConfig): Promise<HostingVersion> {
    return this.api.json("PATCH", versionName, `set the serving config of ${versionName}`, {
      query: { updateMask: "config" },
      body: { config },
    });
  }

  getVersion(name: string): Promise<HostingVersion> {
    return this.api.json("GET", name, `read version ${name}`);
  }

  populateFiles(
    versionName: string,
    files: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<PopulateResult> {
    return this.api
      .json<Partial<PopulateResult>>("POST", `${versionName}:populateFiles`, `list files of ${versionName}`, {
        body: { files },
        ...(signal ? { signal } : {}),
      })
      .then((result) => ({
        uploadRequiredHashes: result.uploadRequiredHashes ?? [],
        uploadUrl: result.uploadUrl ?? "",
      }));
  }

  uploadFile(uploadUrl: string, hash: string, gzipped: Buffer, signal?: AbortSignal): Promise<void> {
    return this.api.upload(uploadUrl, hash, gzipped, signal);
  }

  finalizeVersion(versionName: string): Promise<HostingVersion> {
    return this.api.json("PATCH", versionName, `finalize ${versionName}`, {
      query: { updateMask: "status" },
      body: { status: "FINALIZED" },
    });
  }

  /** Copies a version (e.g. staging's) to `site` without re-uploading; `exclude` are path regexes. */
  async cloneVersion(
    site: string,
    sourceVersion: string,
    options: { exclude?: string[]; finalize: boolean },
  ): Promise<HostingVersion> {
    let operation = await this.api.json<Operation>(
      "POST",
      `sites/${site}/versions:clone`,
      `clone ${sourceVersion}`,
      {
        body: {
          sourceVersion,
          finalize: options.finalize,
          ...(options.exclude?.length ? { exclude: { regexes: options.exclude } } : {}),
        },
      },
    );
    for (let attempt = 0; !operation.done; attempt++) {
      if (attempt > 120)
        throw new PlatformError(
          "hosting.timeout",
          `Failed to clone ${sourceVersion}: the clone did not finish in 2 minutes.`,
          { hint: "Retry; the source version stays untouched." },
        );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      operation = await this.api.json<Operation>("GET", operation.name, `check clone of ${sourceVersion}`);
    }
    if (operation.error || !operation.response) {
      throw new PlatformError(
        "hosting.clone-failed",
        `Failed to clone ${sourceVersion}: ${operation.error?.message ?? "no version returned"}.`,
        {
          hint: "Check that the source version is FINALIZED and retry.",
        },
      );
    }
    return operation.response;
  }

  /** Undefined when the channel does not exist. */
  async getChannel(site: string, channel: string): Promise<HostingChannel | undefined> {
    try {
      return await this.api.json<HostingChannel>(
        "GET",
        `sites/${site}/channels/${channel}`,
        `read channel ${channel}`,
      );
    } catch (error) {
      if (error instanceof PlatformError && error.code === "hosting.not-found") return undefined;
      throw error;
    }
  }

  createChannel(
    site: string,
    channel: string,
    options: { ttlSeconds?: number; labels: Record<string, string> },
  ): Promise<HostingChannel> {
    return this.api.json("POST", `sites/${site}/channels`, `create channel ${channel} on site ${site}`, {
      query: { channelId: channel },
      body: {
        labels: options.labels,
        ...(options.ttlSeconds ? { ttl: toGoogleDuration(options.ttlSeconds) } : {}),
      },
    });
  }

  patchChannel(
    site: string,
    channel: string,
    patch: { ttlSeconds?: number; labels?: Record<string, string> },
  ): Promise<HostingChannel> {
    const mask = [...(patch.ttlSeconds ? ["ttl"] : []), ...(patch.labels ? ["labels"] : [])];
    return this.api.json("PATCH", `sites/${site}/channels/${channel}`, `update channel ${channel}`, {
      query: { updateMask: mask.join(",") },
      body: {
        ...(patch.labels ? { labels: patch.labels } : {}),
        ...(patch.ttlSeconds ? { ttl: toGoogleDuration(patch.ttlSeconds) } : {}),
      },
    });
  }

  async listChannels(site: string): Promise<HostingChannel[]> {
    const channels: HostingChannel[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.api.json<{ channels?: HostingChannel[]; nextPageToken?: string }>(
        "GET",
        `sites/${site}/channels`,
        `list channels of site ${site}`,
        { query: { pageSize: "100", pageToken } },
      );
      channels.push(...(page.channels ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return channels;
  }

  deleteChannel(site: string, channel: string): Promise<unknown> {
    return this.api.json("DELETE", `sites/${site}/channels/${channel}`, `delete channel ${channel}`);
  }

  createRelease(
    site: string,
    channel: string,
    versionName: string,
    message?: string,
  ): Promise<HostingRelease> {
    return this.api.json(
      "POST",
      `sites/${site}/channels/${channel}/releases`,
      `release ${versionName} on ${channel}`,
      {
        query: { versionName },
        body: message ? { message } : {},
      },
    );
  }
}
