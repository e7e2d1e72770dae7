import type { LoadedEnvironment } from "../config/load-environments.js";
import type { Output } from "../core/output.js";
import type { Platform } from "../platform/platform.js";
import { readWebPairs, type WebPair, webPairOf } from "./web-pairs.js";

export type WebRollback =
  | { released: WebPair; from: string | undefined }
  | { wouldRelease: WebPair }
  | { skipped: string };

/**
 * Moves the web front end back with the server: releases again the hosting version that was
 * pair-gated with `revision` (Firebase keeps every finalized version; a release of an older one is
 * how Hosting rolls back). Undefined when the environment has no hosting.
 */
export async function rollbackWebWith(input: {
  platform: Platform;
  environment: LoadedEnvironment;
  /** The service's annotations, where the pairs are recorded. */
  annotations: Readonly<Record<string, string>>;
  revision: string;
  output: Output;
  dryRun: boolean;
}): Promise<WebRollback | undefined> {
  const hosting = input.environment.config.hosting;
  if (!hosting) return undefined;
  const pairs = readWebPairs(input.annotations).filter(
    (pair) => pair.site === hosting.site && pair.channel === hosting.channel,
  );
  const pair = webPairOf(pairs, input.revision);
  if (!pair) {
    const skipped = `no web release is recorded with revision ${input.revision}; the web front end stays as it is`;
    input.output.warn(`Web front end of ${input.environment.name} not rolled back: ${skipped}.`);
    return { skipped };
  }
  if (input.dryRun) return { wouldRelease: pair };
  const connection = await input.platform.hosting(hosting);
  return input.output.run(
    `Web: release ${pair.version} again (paired with ${pair.revision})`,
    async () => {
      const current = await connection.adapter.getChannel(hosting.site, hosting.channel);
      const from = current?.release?.version.name;
      if (from !== pair.version)
        await connection.adapter.createRelease(
          hosting.site,
          hosting.channel,
          pair.version,
          `echogate rollback ${input.environment.name} · revision ${pair.revision}`,
        );
      return { released: pair, from };
    },
    {
      done: ({ from }) => (from === pair.version ? "already live" : `${from ?? "(none)"} → ${pair.version}`),
    },
  );
}
