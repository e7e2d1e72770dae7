import type { LoadedEnvironment } from "../config/load-environments.js";
import { promotionCommand } from "../config/promotion-command.js";
import { ConfigError, PlatformError } from "../core/errors.js";
import type { Platform } from "../platform/platform.js";

/**
 * The environment's actual server URL: `--server-url` when given, else the Cloud Run service's
 * `uri` (first region), on Google or the project's Cloud Run emulator.
 */
export async function resolveServerUrl(
  platform: Platform,
  environment: LoadedEnvironment,
  explicit: string | undefined,
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
  const name = serviceName ?? service.name;
  try {
    const adapter = await platform.cloudRun(service, service.regions[0]!);
    const found = await adapter.getService(name);
    if (!found) throw new Error("the service does not exist");
    if (!found.snapshot.uri) throw new Error("the service has no URL yet");
    return found.snapshot.uri;
  } catch (error) {
    throw new PlatformError(
      "hosting.server-lookup",
      `Failed to read ${environment.name}'s server URL from service ${name} (${service.regions[0]}): ${(error as Error).message}`,
      {
        hint: `Deploy the server first (\`${promotionCommand(environment.name, environment.config.promotesFrom)}\`), or pass --server-url.`,
        cause: error,
      },
    );
  }
}
