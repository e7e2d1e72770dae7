import { join } from "node:path";
import type { HostingConfig } from "../../config/environment-schema.js";
import { ENVIRONMENTS_DIR, type LoadedEnvironment } from "../../config/load-environments.js";
import { refusedSchemaError } from "../../envfiles/read-schema-file.js";
import type { Project } from "../../project/project.js";
import type { DeclaredEnvironment, EnvSchemaFacts, ServiceKey } from "../facts.js";

/** Env keys whose value lists Socket.IO transports, e.g. SOCKETIO_TRANSPORTS=polling,websocket. */
export const TRANSPORTS_KEY = /TRANSPORTS$/i;

/** What environments/<name>.yaml and its env file declare; no cloud calls. `live`: live facts will be read. */
export async function collectDeclared(
  project: Project,
  environment: LoadedEnvironment,
  secretKeys: ReadonlySet<string>,
  live: boolean,
): Promise<DeclaredEnvironment> {
  const { config } = environment;
  const loaded = await project.envFile(environment);
  const entries = loaded.envFile ? [...loaded.envFile.entries.values()] : [];
  const transports = (config.smoke?.echo.protocol === "socket.io" && config.smoke.echo.transports) || [];
  // Secret values are never read for this; a transports list is configuration, not a credential.
  const pollingEntry = entries.find(
    (entry) => TRANSPORTS_KEY.test(entry.key) && !secretKeys.has(entry.key) && /polling/i.test(entry.value),
  );
  const pollingReason = transports.includes("polling")
    ? `smoke.echo.transports includes polling (${environment.file})`
    : pollingEntry
      ? `${pollingEntry.key} in ${loaded.envFile!.file}:${pollingEntry.line} includes polling`
      : undefined;
  const envFile = join(ENVIRONMENTS_DIR, config.service.envFile);
  return {
    name: environment.name,
    kind: config.kind,
    file: environment.file,
    live,
    endpoint: config.service.endpoint,
    project: config.service.project,
    regions: config.service.regions,
    service: config.service.name,
    promotesFrom: config.promotesFrom,
    maxInstances: config.service.maxInstances,
    backplane: config.service.backplane,
    pollingAllowed: pollingReason !== undefined,
    pollingReason,
    locate: (key: ServiceKey) => environment.locate(["service", key]),
    envFile: {
      file: loaded.envFile?.file ?? envFile,
      readable: loaded.envFile !== undefined,
      complete: loaded.envFile?.complete ?? false,
      keys: entries.map((entry) => ({ key: entry.key, line: entry.line })),
    },
    hosting: config.hosting
      ? {
          provider: config.hosting.provider,
          site: config.hosting.site,
          channel: config.hosting.channel,
          origin: hostingOrigin(config.hosting),
        }
      : undefined,
  };
}

/**
 * Where a Firebase front end is served, when that is knowable without an API call. Local hosting
 * has none: its `origins` are what CORS must cover, and only the hosting API knows the channel's URL.
 */
function hostingOrigin(hosting: HostingConfig): string | undefined {
  if (hosting.provider !== "firebase") return undefined;
  if (hosting.origins?.[0]) return hosting.origins[0];
  if (hosting.channel === "live") return `https://${hosting.site}.web.app`;
  return undefined;
}

/** Secret and environment-specific keys from environments/env.schema.yaml (empty without one). */
export async function collectEnvSchema(project: Project): Promise<EnvSchemaFacts> {
  const loaded = await project.envSchema();
  if (loaded.status === "missing") return { file: undefined, secretKeys: [], environmentSpecificKeys: [] };
  if (loaded.status === "refused") throw refusedSchemaError(loaded.diagnostic);
  const { file } = loaded;
  const variables = loaded.schema ? [...loaded.schema.variables] : [];
  return {
    file,
    // Read even from a schema with errors, so secrets stay masked while it is being fixed.
    secretKeys: [
      ...new Set([...loaded.secretKeys, ...variables.filter(([, s]) => s.secret).map(([k]) => k)]),
    ].sort(),
    environmentSpecificKeys: variables
      .filter(([, s]) => s.environmentSpecific)
      .map(([k]) => k)
      .sort(),
  };
}
