import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import { type ProjectSettings, projectSettingsSchema } from "./project-schema.js";
import { MAX_YAML_BYTES, parseYamlSource } from "./yaml-source.js";
import { addZodIssues } from "./zod-diagnostics.js";

const PROJECT_SETTINGS_FILE = "echogate.yaml";

export interface LoadedProjectSettings {
  settings: ProjectSettings;
  /** Relative to the project; undefined when the file doesn't exist (every default applies). */
  file: string | undefined;
  diagnostics: Diagnostics;
}

/** Reads environments/echogate.yaml; a missing file means every setting takes its detected default. */
export async function loadProjectSettings(projectDir: string): Promise<LoadedProjectSettings> {
  const diagnostics = new Diagnostics();
  const path = join(projectDir, "environments", PROJECT_SETTINGS_FILE);
  const defaults = projectSettingsSchema.parse({});
  if (!existsSync(path)) return { settings: defaults, file: undefined, diagnostics };
  const file = relative(projectDir, path);
  const read = await readConfigFile(path, MAX_YAML_BYTES, projectDir);
  if (!read.ok) {
    diagnostics.add(refusalDiagnostic("yaml", file, read, MAX_YAML_BYTES));
    return { settings: defaults, file, diagnostics };
  }
  const source = parseYamlSource(file, read.bytes.toString("utf8"));
  diagnostics.add(...source.diagnostics.items);
  if (source.diagnostics.hasErrors) return { settings: defaults, file, diagnostics };
  const parsed = projectSettingsSchema.safeParse(source.value ?? {});
  if (!parsed.success) {
    addZodIssues(diagnostics, source, parsed.error.issues, projectSettingsSchema);
    return { settings: defaults, file, diagnostics };
  }
  return { settings: parsed.data, file, diagnostics };
}

/** The settings, or a ConfigError naming the first problem (commands that can't work on defaults). */
export async function requireProjectSettings(projectDir: string): Promise<ProjectSettings> {
  return settingsOrError(await loadProjectSettings(projectDir));
}

/** The loaded settings, or a ConfigError naming the first problem. */
export function settingsOrError(loaded: LoadedProjectSettings): ProjectSettings {
  const first = loaded.diagnostics.errors[0];
  if (first) {
    throw new ConfigError("config.invalid", `${first.file ?? PROJECT_SETTINGS_FILE}: ${first.message}`, {
      location: {
        file: first.file ?? PROJECT_SETTINGS_FILE,
        line: first.line,
        column: first.column,
        keyPath: first.keyPath,
      },
      hint: "Fix environments/echogate.yaml; `echogate check` lists every problem.",
      details: { diagnostics: loaded.diagnostics.errors },
    });
  }
  return loaded.settings;
}
