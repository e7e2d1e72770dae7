import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { configErrorFrom, type Diagnostic, Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { checkEnvironmentRules } from "./environment-rules.js";
import { type EnvironmentConfig, environmentSchema } from "./environment-schema.js";
import { fanOutWarning } from "./fan-out-proof.js";
import { type LoadedProjectSettings, loadProjectSettings } from "./load-project-settings.js";
import { checkScaleOut } from "./scale-rules.js";
import { defaultSmokeSpec, type SmokeSpec, smokeSpecSchema } from "./smoke-spec.js";
import { type Locate, loadYamlFile } from "./yaml-file.js";

export const ENVIRONMENTS_DIR = "environments";
/** Files in environments/ that are not environments. */
const RESERVED_FILES = new Set([
  "env.schema.yaml",
  "drift.yaml",
  "echogate.yaml",
  "smoke.yaml",
  "bundle-scan.yaml",
]);
/** The smoke spec every environment uses unless its own YAML has a `smoke:` section. */
const SHARED_SMOKE_FILE = "smoke.yaml";

export interface LoadedEnvironment {
  name: string;
  /** Path relative to the project, as shown to users. */
  file: string;
  config: EnvironmentConfig;
  locate: Locate;
}

export interface LoadedEnvironments {
  projectDir: string;
  environments: LoadedEnvironment[];
  diagnostics: Diagnostics;
}

/** An environment as its own file declares it, without the smoke spec (its own or the shared one). */
export interface DeclaredEnvironment extends Omit<LoadedEnvironment, "config"> {
  config: Omit<EnvironmentConfig, "smoke">;
}

/**
 * The environments without environments/smoke.yaml: what a command reads that never runs a gate
 * (`status`), so the shared smoke spec, the largest file there, is not parsed for it.
 */
export interface DeclaredEnvironments {
  projectDir: string;
  environments: DeclaredEnvironment[];
  diagnostics: Diagnostics;
}

/** Every environments/<name>.yaml, validated and checked together; each `smoke` is the file's own. */
export interface EnvironmentFiles {
  projectDir: string;
  environments: LoadedEnvironment[];
  diagnostics: readonly Diagnostic[];
}

/** environments/smoke.yaml: undefined when the file doesn't exist or is broken (then in `diagnostics`). */
interface SharedSmokeSpec {
  spec: SmokeSpec | undefined;
  diagnostics: readonly Diagnostic[];
}

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * Loads and validates every environments/*.yaml, collecting all problems at once (echogate.yaml's
 * too: pass them when already loaded, so the file is read once).
 */
export async function loadEnvironments(
  projectDir: string,
  settings?: LoadedProjectSettings,
): Promise<LoadedEnvironments> {
  const [files, shared, loadedSettings] = await Promise.all([
    loadEnvironmentFiles(projectDir),
    loadSharedSmokeSpec(projectDir),
    settings ?? loadProjectSettings(projectDir),
  ]);
  return withSharedSmoke(files, shared, loadedSettings);
}

/** Each environment with the shared smoke spec where its file has no `smoke:` section of its own. */
export function withSharedSmoke(
  files: EnvironmentFiles,
  shared: SharedSmokeSpec,
  settings: LoadedProjectSettings,
): LoadedEnvironments {
  const diagnostics = new Diagnostics();
  diagnostics.add(...files.diagnostics, ...shared.diagnostics, ...settings.diagnostics.items);
  const { spec } = shared;
  const environments = files.environments.map((environment) =>
    spec && environment.config.smoke === undefined
      ? { ...environment, config: { ...environment.config, smoke: spec } }
      : environment,
  );
  return { projectDir: files.projectDir, environments, diagnostics };
}

/** The environments as their files declare them, with echogate.yaml's problems (no smoke spec). */
export function declaredEnvironments(
  files: EnvironmentFiles,
  settings: LoadedProjectSettings,
): DeclaredEnvironments {
  const diagnostics = new Diagnostics();
  diagnostics.add(...files.diagnostics, ...settings.diagnostics.items);
  return { projectDir: files.projectDir, environments: files.environments, diagnostics };
}

/** Reads and validates every environments/<name>.yaml and the rules between them. */
export async function loadEnvironmentFiles(projectDir: string): Promise<EnvironmentFiles> {
  const diagnostics = new Diagnostics();
  const dir = join(projectDir, ENVIRONMENTS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name) && !RESERVED_FILES.has(name)).sort();
  } catch {
    throw new ConfigError("config.no-environments", `No ${ENVIRONMENTS_DIR}/ directory in ${projectDir}.`, {
      hint: "Run echogate from your project root or pass --cwd; environments live in environments/<name>.yaml.",
    });
  }
  const environments: LoadedEnvironment[] = [];
  // A broken file still names an environment: references to it are not a second error.
  const declaredNames = new Set(names.map((fileName) => fileName.replace(/\.ya?ml$/, "")));
  for (const fileName of names) {
    const file = join(ENVIRONMENTS_DIR, fileName);
    const name = fileName.replace(/\.ya?ml$/, "");
    // The name is checked first: a file named so that no command can address it is not worth reading.
    if (!NAME_PATTERN.test(name)) {
      diagnostics.error("config.environment-name", `Environment name "${name}" must match ${NAME_PATTERN}.`, {
        file,
      });
      continue;
    }
    const loaded = await loadYamlFile(projectDir, file, environmentSchema, { cacheAs: "environment" });
    diagnostics.add(...loaded.diagnostics.items);
    if (!loaded.value) continue;
    const environment = { name, file, config: loaded.value, locate: loaded.locate };
    checkScaleOut(environment, diagnostics);
    const fanOut = loaded.value.smoke ? fanOutWarning(loaded.value.smoke) : undefined;
    if (fanOut)
      diagnostics.warning("smoke.fan-out-two-clients", `${fanOut}.`, loaded.locate(["smoke", "echo"]));
    environments.push(environment);
  }
  checkReferences(environments, declaredNames, diagnostics);
  checkEnvironmentRules(environments, diagnostics);
  return { projectDir, environments, diagnostics: diagnostics.items };
}

/** environments/smoke.yaml, validated; undefined when the file doesn't exist or is broken (then reported). */
export async function loadSharedSmokeSpec(projectDir: string): Promise<SharedSmokeSpec> {
  const loaded = await loadYamlFile(projectDir, join(ENVIRONMENTS_DIR, SHARED_SMOKE_FILE), smokeSpecSchema, {
    optional: true,
  });
  const diagnostics = loaded.diagnostics;
  const fanOut = loaded.value ? fanOutWarning(loaded.value) : undefined;
  if (fanOut) diagnostics.warning("smoke.fan-out-two-clients", `${fanOut}.`, loaded.locate(["echo"]));
  return { spec: loaded.value, diagnostics: diagnostics.items };
}

function checkReferences(
  environments: LoadedEnvironment[],
  names: ReadonlySet<string>,
  diagnostics: Diagnostics,
): void {
  for (const environment of environments) {
    const from = environment.config.promotesFrom;
    if (from !== undefined && !names.has(from)) {
      diagnostics.error(
        "config.promotes-from",
        `promotesFrom names "${from}", which is not an environment (${[...names].join(", ")}).`,
        environment.locate(["promotesFrom"]),
      );
    }
    if (from === environment.name) {
      diagnostics.error(
        "config.promotes-from",
        "An environment cannot promote from itself.",
        environment.locate(["promotesFrom"]),
      );
    }
  }
}

/** The environment's smoke spec (its own, else environments/smoke.yaml's, already merged), or the default. */
export function smokeSpecOf(environment: LoadedEnvironment): SmokeSpec {
  return environment.config.smoke ?? defaultSmokeSpec();
}

/** Loads and returns one environment, or throws a ConfigError listing what is wrong. */
export async function loadEnvironment(projectDir: string, name: string): Promise<LoadedEnvironment> {
  return pickEnvironment(await loadEnvironments(projectDir), name);
}

/** One environment of those loaded, or a ConfigError naming its problems (or the known names). */
export function pickEnvironment<Environment extends DeclaredEnvironment>(
  loaded: { environments: Environment[]; diagnostics: Diagnostics },
  name: string,
): Environment {
  const environment = loaded.environments.find((candidate) => candidate.name === name);
  const own = loaded.diagnostics.errors.filter(
    (d) => d.file?.endsWith(`/${name}.yaml`) || d.file?.endsWith(`/${name}.yml`),
  );
  if (own.length > 0) {
    throw configErrorFrom(own, {
      code: "config.invalid",
      subject: `environment "${name}"`,
      hint: "Run `echogate check` to see every problem.",
    });
  }
  if (!environment) {
    throw new ConfigError("config.unknown-environment", `No environment named "${name}".`, {
      hint: `Known environments: ${loaded.environments.map((e) => e.name).join(", ") || "none"} (files in ${ENVIRONMENTS_DIR}/).`,
    });
  }
  return environment;
}
