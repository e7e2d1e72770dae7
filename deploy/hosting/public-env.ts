import { ENVIRONMENTS_DIR, type LoadedEnvironment } from "../config/load-environments.js";
import { errorLocationOf } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { fillPlaceholders } from "../envfiles/placeholders.js";
import { deployableSchema } from "../envfiles/read-schema-file.js";
import { webOriginsOf } from "../envfiles/web-origins.js";
import type { Project } from "../project/project.js";

// The web half of an env file, through the envfiles API: its public (browser) variables with
// `${SERVICE_URL}` / `${WEB_ORIGIN}` filled for this deploy, and which of them name the server.

interface PublicEnv {
  vars: Record<string, string>;
  /** Keys whose value is this environment's realtime server URL. */
  realtimeKeys: string[];
}

/** Without a schema, the usual framework prefixes mark a variable as public. */
const PUBLIC_PREFIX = /^(NEXT_PUBLIC_|PUBLIC_|VITE_|REACT_APP_)/;

export async function readPublicEnv(
  project: Project,
  environment: LoadedEnvironment,
  serverUrl: string,
): Promise<PublicEnv> {
  const { schema, secretKeys } = deployableSchema(await project.envSchema());
  const entries = await envEntries(project, environment);
  const webOrigins = webOriginsOf(environment.config.hosting)?.required ?? [];
  const vars: Record<string, string> = {};
  const realtimeKeys: string[] = [];
  for (const { key, value } of entries) {
    const spec = schema?.variables.get(key);
    const isPublic = spec ? spec.public : PUBLIC_PREFIX.test(key);
    if (!isPublic || spec?.secret || secretKeys.has(key)) continue;
    const realtime = spec?.realtimeServer === true;
    vars[key] = fillPlaceholders(value, { serviceUrl: serverUrl, webOrigins }, { webSocket: realtime });
    if (realtime) realtimeKeys.push(key);
  }
  return { vars, realtimeKeys };
}

/** Every URL-looking value in an env file: used to recognise another environment's servers. */
/** Values too short to be a meaningful secret ("true", a port) are not looked for. */
const MIN_SECRET_VALUE_LENGTH = 6;

/** Every value a secret variable holds in `environment`'s env file, by variable name. */
export async function readSecretValues(
  project: Project,
  environment: LoadedEnvironment,
): Promise<{ key: string; value: string }[]> {
  const [{ envFile }, schema] = await Promise.all([project.envFile(environment), project.envSchema()]);
  const secretKeys = schema.status === "read" ? schema.secretKeys : new Set<string>();
  return [...(envFile?.entries.values() ?? [])].filter(
    (entry) => secretKeys.has(entry.key) && entry.value.length >= MIN_SECRET_VALUE_LENGTH,
  );
}

export async function readEnvUrls(project: Project, environment: LoadedEnvironment): Promise<string[]> {
  const { envFile } = await project.envFile(environment);
  return [...(envFile?.entries.values() ?? [])]
    .map((entry) => entry.value)
    .filter((value) => /^(https?|wss?):\/\//.test(value));
}

async function envEntries(
  project: Project,
  environment: LoadedEnvironment,
): Promise<{ key: string; value: string }[]> {
  const { envFile, diagnostics } = await project.envFile(environment);
  if (!envFile) {
    const first = diagnostics[0];
    throw new ConfigError(
      first?.code ?? "env.missing-file",
      first?.message ?? `Can't read ${ENVIRONMENTS_DIR}/${environment.config.service.envFile}.`,
      {
        hint: first?.hint ?? "Create the env file, or fix service.envFile in environments/<env>.yaml.",
        ...errorLocationOf(first),
      },
    );
  }
  return [...envFile.entries.values()];
}
