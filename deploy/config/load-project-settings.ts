import { join } from "node:path";
import { configErrorFrom, type Diagnostics } from "../core/diagnostics.js";
import { type ProjectSettings, projectSettingsSchema } from "./project-schema.js";
import { loadYamlFile } from "./yaml-file.js";

const PROJECT_SETTINGS_FILE = join("environments", "echogate.yaml");

export interface LoadedProjectSettings {
  settings: ProjectSettings;
  /** Relative to the project; undefined when the file doesn't exist (every default applies). */
  file: string | undefined;
  diagnostics: Diagnostics;
}

/** Reads environments/echogate.yaml; a missing file means every setting takes its detected default. */
export async function loadProjectSettings(projectDir: string): Promise<LoadedProjectSettings> {
  const loaded = await loadYamlFile(projectDir, PROJECT_SETTINGS_FILE, projectSettingsSchema, {
    optional: true,
  });
  return {
    settings: loaded.value ?? projectSettingsSchema.parse({}),
    file: loaded.status === "missing" ? undefined : loaded.file,
    diagnostics: loaded.diagnostics,
  };
}

/** The settings, or a ConfigError naming every problem (commands that can't work on defaults). */
export async function requireProjectSettings(projectDir: string): Promise<ProjectSettings> {
  return settingsOrError(await loadProjectSettings(projectDir));
}

/** The loaded settings, or a ConfigError naming every problem. */
export function settingsOrError(loaded: LoadedProjectSettings): ProjectSettings {
  const errors = loaded.diagnostics.errors;
  if (errors.length > 0) {
    throw configErrorFrom(errors, {
      code: "config.invalid",
      subject: loaded.file ?? PROJECT_SETTINGS_FILE,
      hint: "Fix environments/echogate.yaml; `echogate check` lists every problem.",
    });
  }
  return loaded.settings;
}
