import type { LoadedEnvironment } from "../config/load-environments.js";
import { CheckFailedError } from "../core/errors.js";

/**
 * An environment's live service URL (Cloud Run's `uri`, or the emulator's), read
 * through the same Cloud Run adapter deploy uses. Loaded lazily so a plain
 * `echogate smoke <url>` never loads the Cloud Run client.
 */
export async function resolveServiceUrl(
  environment: LoadedEnvironment,
  options: { projectDir: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const { openAdapter, resolveCloudRunTarget } = await import("../platform/cloudrun/target.js");
  const { service } = environment.config;
  const target = await resolveCloudRunTarget(options.projectDir, service, options.env);
  const adapter = openAdapter(target, { project: service.project, region: service.regions[0]! });
  try {
    const loaded = await adapter.getService(service.name);
    if (!loaded?.snapshot.uri) {
      throw new CheckFailedError(
        "smoke.no-service",
        `Can't smoke ${environment.name}: service ${service.name} does not exist or has no URL yet.`,
        { hint: `Deploy it first (\`echogate deploy ${environment.name}\`) or pass the URL explicitly.` },
      );
    }
    return loaded.snapshot.uri;
  } finally {
    await adapter.close();
  }
}
