import type { LoadedEnvironment } from "../config/load-environments.js";
import { openAdapter, resolveCloudRunTarget } from "../platform/cloudrun/target.js";
import { readWebPairs, WEB_PAIRS_ANNOTATION, type WebPair, withWebPair } from "./web-pairs.js";

/** Adds the pair to the environment's Cloud Run service (read-modify-write with the etag). */
export async function recordWebPair(
  projectDir: string,
  environment: LoadedEnvironment,
  env: NodeJS.ProcessEnv,
  pair: WebPair,
): Promise<void> {
  const { service } = environment.config;
  const adapter = openAdapter(await resolveCloudRunTarget(projectDir, service, env), {
    project: service.project,
    region: service.regions[0]!,
  });
  try {
    await adapter.mutateService(service.name, (raw, snapshot) => {
      raw.annotations = {
        ...(raw.annotations ?? {}),
        [WEB_PAIRS_ANNOTATION]: JSON.stringify(withWebPair(readWebPairs(snapshot.annotations), pair)),
      };
      return raw;
    });
  } finally {
    await adapter.close();
  }
}
