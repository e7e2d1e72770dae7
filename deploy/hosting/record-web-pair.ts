import type { LoadedEnvironment } from "../config/load-environments.js";
import type { Platform } from "../platform/platform.js";
import { readWebPairs, WEB_PAIRS_ANNOTATION, type WebPair, withWebPair } from "./web-pairs.js";

/** Adds the pair to the environment's Cloud Run service (read-modify-write with the etag). */
export async function recordWebPair(
  platform: Platform,
  environment: LoadedEnvironment,
  pair: WebPair,
): Promise<void> {
  const { service } = environment.config;
  const adapter = await platform.cloudRun(service, service.regions[0]!);
  await adapter.mutateService(service.name, (raw, snapshot) => {
    raw.annotations = {
      ...(raw.annotations ?? {}),
      [WEB_PAIRS_ANNOTATION]: JSON.stringify(withWebPair(readWebPairs(snapshot.annotations), pair)),
    };
    return raw;
  });
}
