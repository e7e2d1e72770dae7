import type { LoadedEnvironment } from "../config/load-environments.js";
import { promotionCommand } from "../config/promotion-command.js";
import { ConfigError, PlatformError } from "../core/errors.js";
import { createCloudRunClients } from "../platform/cloudrun/clients.js";
import { resolveCloudRunTarget } from "../platform/cloudrun/target.js";

/**
 * The environment's actual server URL: `--server-url` when given, else the Cloud Run service's
 * `uri` (first region), on Google or the project's Cloud Run emulator.
 */
export async function resolveServerUrl(
  projectDir: string,
  environment: LoadedEnvironment,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  serviceName?: string,
): Promise<string> {
  if (explicit) {
    try {
      return new URL(explicit).toString().replace(/\/$/, "");
    } catch {
      throw new ConfigError("usage.server-url", `Can't use --server-url ${explicit}: it is not a URL.`, {
        hint: "Pass e.g. --server-url https://chat-abc-uc.a.run.app",
      });
    }
  }
  const service = environment.config.service;
  const clients = createCloudRunClients(await resolveCloudRunTarget(projectDir, service, env));
  const name = `projects/${service.project}/locations/${service.regions[0]}/services/${serviceName ?? service.name}`;
  try {
    const [found] = await clients.services.getService({ name });
    if (!found.uri) throw new Error("the service has no URL yet");
    return found.uri;
  } catch (error) {
    throw new PlatformError(
      "hosting.server-lookup",
      `Failed to read ${environment.name}'s server URL from ${name}: ${(error as Error).message}`,
      {
        hint: `Deploy the server first (\`${promotionCommand(environment.name, environment.config.promotesFrom)}\`), or pass --server-url.`,
        cause: error,
      },
    );
  } finally {
    await clients.close();
  }
}
