import type { ServingConfig } from "@echogate/common/serving-config";
import { PlatformError } from "../core/errors.js";
import type {
  FirebaseHostingAdapter,
  HostingChannel,
  HostingRelease,
  HostingVersion,
} from "../platform/hosting/firebase-adapter.js";
import type { SiteFile } from "./site-files.js";

export const LIVE_CHANNEL = "live";
const POPULATE_BATCH = 1000;
const UPLOAD_CONCURRENCY = 8;

export interface ChannelSpec {
  site: string;
  channel: string;
  /** Preview channels only: TTL applied on create and renewed on every release. */
  ttlSeconds?: number;
  /** Labels a preview channel must carry; an existing channel with other owner labels is refused. */
  labels?: Record<string, string>;
}

export interface UploadProgress {
  uploaded: number;
  toUpload: number;
  total: number;
}

interface UploadResult {
  version: HostingVersion;
  total: number;
  uploaded: number;
}

/** Creates the channel, or checks that an existing one belongs to us (same `echogate-owner` label). */
export async function ensureChannel(
  adapter: FirebaseHostingAdapter,
  spec: ChannelSpec,
): Promise<HostingChannel> {
  const existing = await adapter.getChannel(spec.site, spec.channel);
  if (!existing) {
    return adapter.createChannel(spec.site, spec.channel, {
      labels: spec.labels ?? {},
      ...(spec.ttlSeconds ? { ttlSeconds: spec.ttlSeconds } : {}),
    });
  }
  const owner = spec.labels?.["echogate-owner"];
  if (owner !== undefined && existing.labels?.["echogate-owner"] !== owner) {
    throw new PlatformError(
      "hosting.channel-owner",
      `Failed to use channel ${spec.channel} on site ${spec.site}: it exists but belongs to ${existing.labels?.["echogate-owner"] ? `"${existing.labels["echogate-owner"]}"` : "something other than echogate"}.`,
      { hint: "Delete that channel in the Firebase console, or deploy from a branch with another name." },
    );
  }
  if (spec.ttlSeconds || spec.labels) {
    return adapter.patchChannel(spec.site, spec.channel, {
      ...(spec.ttlSeconds ? { ttlSeconds: spec.ttlSeconds } : {}),
      ...(spec.labels ? { labels: { ...existing.labels, ...spec.labels } } : {}),
    });
  }
  return existing;
}

/**
 * New version → populateFiles → upload only what Hosting lacks → finalize. Nothing is released
 * here, so an interrupted upload leaves every channel serving what it served before.
 */
export async function uploadVersion(
  adapter: FirebaseHostingAdapter,
  site: string,
  files: readonly SiteFile[],
  options: {
    labels: Record<string, string>;
    /** The new version's ServingConfig (ignored with `version`: it has its own). */
    config?: ServingConfig;
    signal?: AbortSignal;
    onProgress?: (progress: UploadProgress) => void;
    version?: HostingVersion;
  },
): Promise<UploadResult> {
  const version =
    options.version ??
    (await adapter.createVersion(site, options.labels, options.config ?? {}, options.signal));
  const byHash = new Map(files.map((file) => [file.hash, file]));
  const required: string[] = [];
  let uploadUrl = "";
  for (let start = 0; start < files.length; start += POPULATE_BATCH) {
    const batch = files.slice(start, start + POPULATE_BATCH);
    const result = await adapter.populateFiles(
      version.name,
      Object.fromEntries(batch.map((file) => [file.path, file.hash])),
      options.signal,
    );
    uploadUrl = result.uploadUrl || uploadUrl;
    required.push(...result.uploadRequiredHashes);
  }
  const queue = [...new Set(required)];
  const progress: UploadProgress = { uploaded: 0, toUpload: queue.length, total: files.length };
  options.onProgress?.({ ...progress });
  const worker = async (): Promise<void> => {
    for (let hash = queue.shift(); hash !== undefined; hash = queue.shift()) {
      options.signal?.throwIfAborted();
      const file = byHash.get(hash);
      if (!file)
        throw new PlatformError(
          "hosting.unknown-hash",
          `Failed to upload: Hosting asked for unknown hash ${hash}.`,
        );
      await adapter.uploadFile(uploadUrl, hash, file.gzipped, options.signal);
      progress.uploaded++;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, queue.length) }, worker));
  options.signal?.throwIfAborted();
  const finalized = await adapter.finalizeVersion(version.name);
  return { version: finalized, total: files.length, uploaded: progress.uploaded };
}

export function release(
  adapter: FirebaseHostingAdapter,
  site: string,
  channel: string,
  version: HostingVersion,
  message: string,
): Promise<HostingRelease> {
  return adapter.createRelease(site, channel, version.name, message);
}
