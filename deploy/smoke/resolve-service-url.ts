import type { LoadedEnvironment } from "../config/load-environments.js";
import { UsageError } from "../core/errors.js";

/** Finds an environment's live service URL (Cloud Run's `uri`, or the emulator's). */
export type ServiceUrlResolver = (
  environment: LoadedEnvironment,
  options: { projectDir: string; signal: AbortSignal },
) => Promise<string>;

let installed: ServiceUrlResolver | undefined;

/** The platform layer plugs its resolver in here; until then `--env` needs an explicit URL. */
export function setServiceUrlResolver(resolver: ServiceUrlResolver | undefined): void {
  installed = resolver;
}

export async function resolveServiceUrl(
  environment: LoadedEnvironment,
  options: { projectDir: string; signal: AbortSignal },
): Promise<string> {
  if (installed) return installed(environment, options);
  throw new UsageError(`Can't look up the live URL of environment "${environment.name}" yet.`, {
    hint: `Pass it explicitly: echogate smoke https://<service-url> --env ${environment.name}`,
  });
}
