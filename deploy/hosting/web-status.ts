import type { DeclaredEnvironment } from "../config/load-environments.js";
import { messageOf } from "../core/errors.js";
import type { Platform } from "../platform/platform.js";
import type { WebPair } from "./web-pairs.js";

interface WebStatusInput {
  environment: DeclaredEnvironment;
  servingRevision: string | null;
  pairs: readonly WebPair[];
}

export interface WebStatusRow {
  site: string;
  channel: string;
  /** Hosting version id live on the channel. */
  version: string | null;
  /** The server revision that release was pair-gated with, when recorded. */
  pairedRevision: string | null;
  /** The live web release was pair-gated with the revision serving (most) traffic. */
  paired: boolean;
  error?: string;
}

/** The release live on an environment's channel: its version name, or why it could not be read. */
type LiveWebRelease = { version: string | undefined } | { error: string };

/**
 * Reads each environment's live channel release (one hosting connection per hosting API). It does
 * not depend on Cloud Run, so `status` runs it alongside the service reads.
 */
export async function readLiveWebReleases(
  platform: Platform,
  environments: readonly DeclaredEnvironment[],
): Promise<Map<string, LiveWebRelease>> {
  const withHosting = environments.filter((environment) => environment.config.hosting);
  const releases = await Promise.all(
    withHosting.map(async (environment): Promise<LiveWebRelease> => {
      const hosting = environment.config.hosting!;
      try {
        const connection = await platform.hosting(hosting);
        const channel = await connection.adapter.getChannel(hosting.site, hosting.channel);
        return { version: channel?.release?.version.name };
      } catch (error) {
        return { error: messageOf(error) };
      }
    }),
  );
  return new Map(withHosting.map((environment, i) => [environment.name, releases[i]!]));
}

/** Pure: is the live web release the one recorded with the serving revision? Null without hosting. */
export function webStatusOf(input: WebStatusInput, release: LiveWebRelease | undefined): WebStatusRow | null {
  const hosting = input.environment.config.hosting;
  if (!hosting || !release) return null;
  const liveVersion = "error" in release ? undefined : release.version;
  const pairs = input.pairs.filter((pair) => pair.site === hosting.site && pair.channel === hosting.channel);
  const ofVersion = [...pairs].reverse().find((pair) => pair.version === liveVersion);
  return {
    site: hosting.site,
    channel: hosting.channel,
    version: liveVersion ? (liveVersion.split("/").at(-1) ?? liveVersion) : null,
    pairedRevision: ofVersion?.revision ?? null,
    paired: ofVersion !== undefined && ofVersion.revision === input.servingRevision,
    ...("error" in release ? { error: release.error } : {}),
  };
}
