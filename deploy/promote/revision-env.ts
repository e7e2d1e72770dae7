import type { LoadedEnvironment } from "../config/load-environments.js";
import { ConfigError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import {
  fillPlaceholders,
  SERVICE_URL_PLACEHOLDER,
  WEB_ORIGIN_PLACEHOLDER,
} from "../envfiles/placeholders.js";
import { deployableSchema } from "../envfiles/read-schema-file.js";
import { webOriginsOf } from "../envfiles/web-origins.js";
import { assertDeployable } from "../project/assert-deployable.js";
import type { Project } from "../project/project.js";
import type { EnvVar } from "./candidate-template.js";

/** Cloud Run sets these itself and refuses them in a template. */
const RESERVED = new Set(["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"]);

export interface RevisionEnvSource {
  /** The env file, relative to the project, as shown to users. */
  file: string;
  /** Entries of the env file that the server should see, placeholders still in. */
  entries: { name: string; value: string; line: number; realtimeServer: boolean; secret?: boolean }[];
  skipped: string[];
}

/** True when some entry is written as `${WEB_ORIGIN}`, so deploy must know the web origin. */
export function needsWebOrigin(source: RevisionEnvSource): boolean {
  return source.entries.some((entry) => entry.value.includes(WEB_ORIGIN_PLACEHOLDER));
}

/**
 * Validates the environment's env file (`echogate check` for this environment) and returns the
 * entries the revision gets (the project registered its secrets with the redactor on reading it).
 * Public (browser) variables are left out: they belong to the web build, not the server.
 */
export async function loadRevisionEnv(
  project: Project,
  environment: LoadedEnvironment,
  output: Output,
): Promise<RevisionEnvSource> {
  await assertDeployable(project, environment, { output, what: environment.name });
  const { schema, secretKeys } = deployableSchema(await project.envSchema());
  const { envFile } = await project.envFile(environment);
  const entries: RevisionEnvSource["entries"] = [];
  const skipped: string[] = [];
  for (const [name, entry] of envFile?.entries ?? []) {
    const spec = schema?.variables.get(name);
    if (RESERVED.has(name) || spec?.public) {
      skipped.push(name);
      continue;
    }
    entries.push({
      name,
      value: entry.value,
      line: entry.line,
      realtimeServer: spec?.realtimeServer ?? false,
      secret: secretKeys.has(name) || spec?.secret === true,
    });
  }
  return { file: envFile?.file ?? environment.config.service.envFile, entries, skipped };
}

/**
 * Fills `${SERVICE_URL}` / `${WEB_ORIGIN}`. A variable needing an unknown service URL is left out
 * (set from the next deploy on); one needing an unknown web origin is refused, because an empty
 * CORS list must never reach a server.
 */
export function resolveRevisionEnv(
  source: RevisionEnvSource,
  environment: LoadedEnvironment,
  serviceUrl: string | undefined,
  webOrigins: readonly string[] = webOriginsOf(environment.config.hosting)?.required ?? [],
): { env: EnvVar[]; unresolved: string[] } {
  const origins = [...webOrigins];
  const env: EnvVar[] = [];
  const unresolved: string[] = [];
  for (const entry of source.entries) {
    if (entry.value.includes(WEB_ORIGIN_PLACEHOLDER) && origins.length === 0)
      throw unknownWebOrigin(source, environment, entry);
    if (entry.value.includes(SERVICE_URL_PLACEHOLDER) && !serviceUrl) {
      unresolved.push(entry.name);
      continue;
    }
    const value = fillPlaceholders(
      entry.value,
      { serviceUrl: serviceUrl ?? "", webOrigins: origins },
      { webSocket: entry.realtimeServer },
    );
    env.push({ name: entry.name, value });
  }
  return { env, unresolved };
}

function unknownWebOrigin(
  source: RevisionEnvSource,
  environment: LoadedEnvironment,
  entry: RevisionEnvSource["entries"][number],
): ConfigError {
  return new ConfigError(
    "promote.web-origin-unknown",
    `Can't deploy ${environment.name}: ${source.file}:${entry.line} ${entry.name} uses ${WEB_ORIGIN_PLACEHOLDER}, but ${environment.name} has no known web origin, and an empty list would leave the server's CORS check without the real site.`,
    {
      hint: `Configure hosting in ${environment.file} (deploy then reads the channel URL), or list the origins under hosting.origins; nothing was deployed.`,
    },
  );
}
