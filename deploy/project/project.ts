import {
  type DeclaredEnvironment,
  type DeclaredEnvironments,
  declaredEnvironments,
  type EnvironmentFiles,
  type LoadedEnvironment,
  type LoadedEnvironments,
  loadEnvironmentFiles,
  loadSharedSmokeSpec,
  pickEnvironment,
  withSharedSmoke,
} from "../config/load-environments.js";
import type { LoadedFirebaseJson } from "../config/load-firebase-json.js";
import {
  type LoadedProjectSettings,
  loadProjectSettings,
  settingsOrError,
} from "../config/load-project-settings.js";
import type { ProjectSettings } from "../config/project-schema.js";
import type { Redactor } from "../core/redact.js";
import type { CheckReport } from "../envfiles/check-project.js";
import type { LoadedEnvFile } from "../envfiles/load-env-file.js";
import type { EnvSchemaFileRead } from "../envfiles/read-schema-file.js";
import type { ResolvedLayout } from "../source/layout.js";

/**
 * One project per invocation: every file under environments/ (and the env files they name) is read
 * and parsed at most once, on first use, whichever commands and capabilities ask for it. Loading is
 * lazy so a command pays only for what it reads (`status` never opens an env file, nor loads the
 * env-file and firebase.json readers). Every
 * sensitive value of an env file is registered with the redactor as the file is read, before
 * anything can print it.
 */
export class Project {
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(
    /** The project directory (the one holding environments/). */
    readonly dir: string,
    private readonly redactor: Redactor,
  ) {}

  /** environments/echogate.yaml (defaults when absent), with its diagnostics. */
  settings(): Promise<LoadedProjectSettings> {
    return this.#once("settings", () => loadProjectSettings(this.dir));
  }

  /** The settings, or the first problem of echogate.yaml as a ConfigError. */
  async requireSettings(): Promise<ProjectSettings> {
    return settingsOrError(await this.settings());
  }

  /** The server layout: echogate.yaml's `layout:` with every unset key detected. */
  layout(): Promise<ResolvedLayout> {
    return this.#once("layout", async () => loadLayout(this.dir, await this.requireSettings()));
  }

  /** The layout even when echogate.yaml has errors (its defaults then): for `check` and `drift`, which report them. */
  detectedLayout(): Promise<ResolvedLayout> {
    return this.#once("detected-layout", async () => {
      const loaded = await this.settings();
      return loaded.diagnostics.hasErrors ? loadLayout(this.dir, loaded.settings) : this.layout();
    });
  }

  /** Every environments/*.yaml, validated, with every problem as a diagnostic. */
  environments(): Promise<LoadedEnvironments> {
    return this.#once("environments", async () => {
      const [files, shared, settings] = await Promise.all([
        this.#environmentFiles(),
        loadSharedSmokeSpec(this.dir),
        this.settings(),
      ]);
      return withSharedSmoke(files, shared, settings);
    });
  }

  /** One environment, or a ConfigError naming its first problem (or the known names). */
  async environment(name: string): Promise<LoadedEnvironment> {
    return pickEnvironment(await this.environments(), name);
  }

  /** The environments without their smoke specs, for commands that run no gate (environments/smoke.yaml unread). */
  declaredEnvironments(): Promise<DeclaredEnvironments> {
    return this.#once("declared-environments", async () =>
      declaredEnvironments(await this.#environmentFiles(), await this.settings()),
    );
  }

  /** One environment without its smoke spec, or the same ConfigError as `environment`. */
  async declaredEnvironment(name: string): Promise<DeclaredEnvironment> {
    return pickEnvironment(await this.declaredEnvironments(), name);
  }

  /** firebase.json and .firebaserc: the Hosting serving config every web deploy sends. */
  firebaseJson(): Promise<LoadedFirebaseJson> {
    return this.#once("firebase-json", async () =>
      (await import("../config/load-firebase-json.js")).loadFirebaseJson(this.dir),
    );
  }

  /** environments/env.schema.yaml: the one reader of the env schema. */
  envSchema(): Promise<EnvSchemaFileRead> {
    return this.#once("env-schema", async () =>
      (await import("../envfiles/read-schema-file.js")).readEnvSchemaFile(this.dir),
    );
  }

  /** The env file an environment names; its sensitive values are registered with the redactor. */
  envFile(environment: LoadedEnvironment): Promise<LoadedEnvFile> {
    return this.#once(`env-file:${environment.name}`, async () => {
      const [{ loadEnvFile }, { registerSensitiveValues }] = await Promise.all([
        import("../envfiles/load-env-file.js"),
        import("../envfiles/sensitive-values.js"),
      ]);
      const [loaded, schema] = await Promise.all([loadEnvFile(this.dir, environment), this.envSchema()]);
      const secretKeys = schema.status === "read" ? schema.secretKeys : new Set<string>();
      registerSensitiveValues(this.redactor, loaded.envFile?.entries.values() ?? [], secretKeys);
      return loaded;
    });
  }

  /** What `echogate check` reports, for every environment or only some (others still compared). */
  check(only?: readonly string[]): Promise<CheckReport> {
    return this.#once(`check:${only?.join(",") ?? "*"}`, async () => {
      const environments = await this.environments();
      const [schema, envFiles, firebaseJson] = await Promise.all([
        this.envSchema(),
        Promise.all(environments.environments.map((environment) => this.envFile(environment))),
        this.firebaseJson(),
      ]);
      // The rules load only for commands that check (status never does).
      const { checkLoadedProject } = await import("../envfiles/check-project.js");
      return checkLoadedProject(
        { environments, schema, envFiles, ...(firebaseJson.present ? { firebaseJson } : {}) },
        { redactor: this.redactor, ...(only ? { only } : {}) },
      );
    });
  }

  #environmentFiles(): Promise<EnvironmentFiles> {
    return this.#once("environment-files", () => loadEnvironmentFiles(this.dir));
  }

  #once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let loaded = this.#memo.get(key) as Promise<T> | undefined;
    if (!loaded) {
      loaded = load();
      this.#memo.set(key, loaded);
    }
    return loaded;
  }
}

/**
 * The layout's detection (with the Dockerfile parser it reads dev scripts with) loads only for
 * commands that ask for the layout: `status` and `--help` never do.
 */
async function loadLayout(dir: string, settings: ProjectSettings): Promise<ResolvedLayout> {
  const { loadProjectLayout } = await import("../source/project-layout.js");
  return loadProjectLayout(dir, settings);
}
