import { ENVIRONMENTS_DIR, type LoadedEnvironment } from "../config/load-environments.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { loadEnvFile } from "../envfiles/load-env-file.js";
import type { EnvSchema } from "../envfiles/load-schema.js";
import { fillPlaceholders } from "../envfiles/placeholders.js";
import { readEnvSchemaFile, refusedSchemaError } from "../envfiles/read-schema-file.js";
import { webOriginsOf } from "../envfiles/web-origins.js";

// The web half of an env file, through the envfiles API: its public (browser) variables with
// `${SERVICE_URL}` / `${WEB_ORIGIN}` filled for this deploy, and which of them name the server.

export interface PublicEnv {
  vars: Record<string, string>;
  /** Keys whose value is this environment's realtime server URL. */
  realtimeKeys: string[];
}

/** Without a schema, the usual framework prefixes mark a variable as public. */
const PUBLIC_PREFIX = /^(NEXT_PUBLIC_|PUBLIC_|VITE_)/;

export async function readPublicEnv(
  projectDir: string,
  environment: LoadedEnvironment,
  serverUrl: string,
): Promise<PublicEnv> {
  const { schema, secretKeys } = await readEnvSchema(projectDir);
  const entries = await envEntries(projectDir, environment);
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
export async function readEnvUrls(projectDir: string, environment: LoadedEnvironment): Promise<string[]> {
  const { envFile } = await loadEnvFile(projectDir, environment);
  return [...(envFile?.entries.values() ?? [])]
    .map((entry) => entry.value)
    .filter((value) => /^(https?|wss?):\/\//.test(value));
}

async function envEntries(
  projectDir: string,
  environment: LoadedEnvironment,
): Promise<{ key: string; value: string }[]> {
  const { envFile, diagnostics } = await loadEnvFile(projectDir, environment);
  if (!envFile) {
    const first = diagnostics[0];
    throw new ConfigError(
      first?.code ?? "env.missing-file",
      first?.message ?? `Can't read ${ENVIRONMENTS_DIR}/${environment.config.service.envFile}.`,
      {
        hint: first?.hint ?? "Create the env file, or fix service.envFile in environments/<env>.yaml.",
        ...locationOf(first),
      },
    );
  }
  return [...envFile.entries.values()];
}

async function readEnvSchema(
  projectDir: string,
): Promise<{ schema: EnvSchema | undefined; secretKeys: ReadonlySet<string> }> {
  const loaded = await readEnvSchemaFile(projectDir);
  if (loaded.status === "missing") return { schema: undefined, secretKeys: new Set() };
  if (loaded.status === "refused") throw refusedSchemaError(loaded.diagnostic);
  const { file } = loaded;
  if (!loaded.schema) {
    const first = loaded.diagnostics.errors[0];
    throw new ConfigError(
      "envschema.invalid",
      `Can't read ${file}: ${first?.message ?? "it is not a valid schema"}.`,
      {
        ...locationOf(first),
        hint: "Run `echogate check` and fix every error; nothing was deployed.",
      },
    );
  }
  return loaded;
}

function locationOf(diagnostic: Diagnostic | undefined) {
  if (!diagnostic?.file) return {};
  const { file, line, column, keyPath } = diagnostic;
  return {
    location: {
      file,
      ...(line ? { line } : {}),
      ...(column ? { column } : {}),
      ...(keyPath ? { keyPath } : {}),
    },
  };
}
