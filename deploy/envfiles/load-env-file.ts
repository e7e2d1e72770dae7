import { join, relative } from "node:path";
import { ENVIRONMENTS_DIR, type LoadedEnvironment } from "../config/load-environments.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import { MAX_ENV_FILE_BYTES, parseDotenv, tooLargeDiagnostic } from "./parse-dotenv.js";
import type { EnvFileData } from "./rules/types.js";

export interface LoadedEnvFile {
  /** Undefined when the file is missing or was refused; `diagnostics` says why. */
  envFile: EnvFileData | undefined;
  diagnostics: Diagnostic[];
}

/** Reads and parses the env file named by `service.envFile` (relative to environments/). */
export async function loadEnvFile(
  projectDir: string,
  environment: LoadedEnvironment,
): Promise<LoadedEnvFile> {
  const path = join(projectDir, ENVIRONMENTS_DIR, environment.config.service.envFile);
  const file = relative(projectDir, path);
  const read = await readConfigFile(path, MAX_ENV_FILE_BYTES, projectDir);
  if (!read.ok) {
    if (read.reason === "missing") {
      return {
        envFile: undefined,
        diagnostics: [
          {
            severity: "error",
            code: "env.missing-file",
            message: `Can't find env file ${file} for ${environment.name}.`,
            ...environment.locate(["service", "envFile"]),
            hint: `Create ${file}, or fix service.envFile (it is relative to ${ENVIRONMENTS_DIR}/).`,
          },
        ],
      };
    }
    const refused =
      read.reason === "too-large"
        ? tooLargeDiagnostic(file, read.size ?? MAX_ENV_FILE_BYTES + 1)
        : refusalDiagnostic("env", file, read, MAX_ENV_FILE_BYTES);
    return { envFile: undefined, diagnostics: [refused] };
  }
  const parsed = parseDotenv(file, read.bytes);
  if (!parsed.readable) return { envFile: undefined, diagnostics: parsed.diagnostics };
  return {
    envFile: {
      file,
      entries: new Map(parsed.entries.map((entry) => [entry.key, entry])),
      complete: parsed.complete,
    },
    diagnostics: parsed.diagnostics,
  };
}
