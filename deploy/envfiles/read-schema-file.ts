import { join } from "node:path";
import { ENVIRONMENTS_DIR } from "../config/load-environments.js";
import { MAX_YAML_BYTES } from "../config/yaml-source.js";
import { type Diagnostic, errorLocationOf } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import { ENV_SCHEMA_FILE, type LoadedEnvSchema, parseEnvSchema } from "./load-schema.js";

export type EnvSchemaFileRead =
  | { status: "missing"; file: string }
  /** Not a regular file, too large or unreadable: never parsed. */
  | { status: "refused"; file: string; diagnostic: Diagnostic }
  | ({ status: "read"; file: string } & LoadedEnvSchema);

/** Reads and parses environments/env.schema.yaml through the safe config reader. */
export async function readEnvSchemaFile(projectDir: string): Promise<EnvSchemaFileRead> {
  const file = join(ENVIRONMENTS_DIR, ENV_SCHEMA_FILE);
  const read = await readConfigFile(join(projectDir, file), MAX_YAML_BYTES, projectDir);
  if (read.ok) return { status: "read", file, ...parseEnvSchema(file, read.bytes.toString("utf8")) };
  if (read.reason === "missing") return { status: "missing", file };
  return { status: "refused", file, diagnostic: refusalDiagnostic("yaml", file, read, MAX_YAML_BYTES) };
}

/** A refused schema file as the error a command stops with. */
export function refusedSchemaError(diagnostic: Diagnostic): ConfigError {
  return new ConfigError(diagnostic.code, diagnostic.message, {
    location: { file: diagnostic.file! },
    ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
  });
}

/**
 * The schema a deploy or a web build uses: none when the file is missing; a refused or invalid file
 * stops the command (deploy runs `check` first, so an invalid one is reported there in full).
 */
export function deployableSchema(read: EnvSchemaFileRead): Pick<LoadedEnvSchema, "schema" | "secretKeys"> {
  if (read.status === "missing") return { schema: undefined, secretKeys: new Set() };
  if (read.status === "refused") throw refusedSchemaError(read.diagnostic);
  if (!read.schema) {
    const first = read.diagnostics.errors[0];
    throw new ConfigError(
      "envschema.invalid",
      `Can't read ${read.file}: ${first?.message ?? "it is not a valid schema"}.`,
      {
        ...errorLocationOf(first),
        hint: "Run `echogate check` and fix every error; nothing was deployed.",
      },
    );
  }
  return read;
}
