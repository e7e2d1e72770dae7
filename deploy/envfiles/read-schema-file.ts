import { join } from "node:path";
import { ENVIRONMENTS_DIR } from "../config/load-environments.js";
import { loadYamlFile } from "../config/yaml-file.js";
import { configErrorFrom, type Diagnostic } from "../core/diagnostics.js";
import type { ConfigError } from "../core/errors.js";
import { ENV_SCHEMA_FILE, envSchemaOf, type LoadedEnvSchema } from "./load-schema.js";
import { envSchemaFileSchema } from "./schema.js";

export type EnvSchemaFileRead =
  | { status: "missing"; file: string }
  /** Not a regular file, too large or unreadable: never parsed. */
  | { status: "refused"; file: string; diagnostic: Diagnostic }
  | ({ status: "read"; file: string } & LoadedEnvSchema);

/** Reads and parses environments/env.schema.yaml through the safe config reader. */
export async function readEnvSchemaFile(projectDir: string): Promise<EnvSchemaFileRead> {
  const file = join(ENVIRONMENTS_DIR, ENV_SCHEMA_FILE);
  const loaded = await loadYamlFile(projectDir, file, envSchemaFileSchema, {
    optional: true,
    cacheAs: "env-schema",
  });
  if (loaded.status === "missing") return { status: "missing", file };
  if (loaded.status === "refused")
    return { status: "refused", file, diagnostic: loaded.diagnostics.errors[0]! };
  return { status: "read", file, ...envSchemaOf(loaded) };
}

/** A refused schema file as the error a command stops with. */
export function refusedSchemaError(diagnostic: Diagnostic): ConfigError {
  return configErrorFrom([diagnostic]);
}

/**
 * The schema a deploy or a web build uses: none when the file is missing; a refused or invalid file
 * stops the command (deploy runs `check` first, so an invalid one is reported there in full).
 */
export function deployableSchema(read: EnvSchemaFileRead): Pick<LoadedEnvSchema, "schema" | "secretKeys"> {
  if (read.status === "missing") return { schema: undefined, secretKeys: new Set() };
  if (read.status === "refused") throw refusedSchemaError(read.diagnostic);
  if (!read.schema) {
    throw configErrorFrom(read.diagnostics.errors, {
      code: "envschema.invalid",
      subject: read.file,
      hint: "Run `echogate check` and fix every error; nothing was deployed.",
    });
  }
  return read;
}
