import path from "node:path";
import { ConfigError } from "../../core/errors.js";
import { readConfigFile } from "../../core/read-config-file.js";

/** A credential file is a few KB of JSON; anything far larger is not one. */
const MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024;

export interface AdcFile {
  path: string;
  json: Record<string, unknown>;
}

/**
 * The Application Default Credentials file, looked up as google-auth-library does:
 * GOOGLE_APPLICATION_CREDENTIALS, else gcloud's application_default_credentials.json in
 * CLOUDSDK_CONFIG (or %APPDATA%\gcloud, ~/.config/gcloud). Undefined when there is none: then
 * the credentials are the metadata server's.
 */
export async function readAdcFile(
  env: NodeJS.ProcessEnv,
  platform = process.platform,
): Promise<AdcFile | undefined> {
  const explicit = env.GOOGLE_APPLICATION_CREDENTIALS || env.google_application_credentials;
  if (explicit) return read(explicit, "the GOOGLE_APPLICATION_CREDENTIALS environment variable");
  const configDir =
    env.CLOUDSDK_CONFIG ||
    (platform === "win32"
      ? env.APPDATA && path.join(env.APPDATA, "gcloud")
      : env.HOME && path.join(env.HOME, ".config", "gcloud"));
  if (!configDir) return undefined;
  return read(path.join(configDir, "application_default_credentials.json"), undefined);
}

async function read(file: string, namedBy: string | undefined): Promise<AdcFile | undefined> {
  const read = await readConfigFile(file, MAX_CREDENTIAL_FILE_BYTES);
  if (!read.ok) {
    if (!namedBy && read.reason === "missing") return undefined;
    throw new ConfigError(
      "identity.credentials-unreadable",
      `Failed to read the credential file ${file}: ${read.detail}`,
      {
        hint: namedBy
          ? `Fix or unset ${namedBy}.`
          : "Run `gcloud auth application-default login` again, or remove the file.",
      },
    );
  }
  const text = read.bytes.toString("utf8");
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === "object" && json !== null && !Array.isArray(json)) {
      return { path: file, json: json as Record<string, unknown> };
    }
  } catch {
    // reported below, without the file's contents: it holds secrets
  }
  throw new ConfigError(
    "identity.credentials-unreadable",
    `The credential file ${file} is not a JSON object.`,
    {
      hint: namedBy ? `Fix or unset ${namedBy}.` : "Run `gcloud auth application-default login` again.",
    },
  );
}
