import type { LoadedEnvironment } from "../config/load-environments.js";
import type { Platform } from "../platform/platform.js";
import type { WebPair } from "./web-pairs.js";

interface WebStatusInput {
  environment: LoadedEnvironment;
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

/** Pure: is the live web version the one recorded with the serving revision? */
function webStatusOf(input: WebStatusInput, liveVersion: string | undefined): WebStatusRow | null {
  const hosting = input.environment.config.hosting;
  if (!hosting) return null;
  const pairs = input.pairs.filter((pair) => pair.site === hosting.site && pair.channel === hosting.channel);
  const ofVersion = [...pairs].reverse().find((pair) => pair.version === liveVersion);
  return {
    site: hosting.site,
    channel: hosting.channel,
    version: liveVersion ? (liveVersion.split("/").at(-1) ?? liveVersion) : null,
    pairedRevision: ofVersion?.revision ?? null,
    paired: ofVersion !== undefined && ofVersion.revision === input.servingRevision,
  };
}

/** Reads each environment's live channel release (one hosting connection per provider). */
export async function collectWebStatus(
  platform: Platform,
  inputs: readonly WebStatusInput[],
): Promise<(WebStatusRow | null)[]> {
  return Promise.all(
    inputs.map(async (input) => {
      const hosting = input.environment.config.hosting;
      if (!hosting) return null;
      try {
        const connection = await platform.hosting(hosting);
        const channel = await connection.adapter.getChannel(hosting.site, hosting.channel);
        return webStatusOf(input, channel?.release?.version.name);
      } catch (error) {
        return {
          ...webStatusOf(input, undefined)!,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}
