import { readdir } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import type { SourceLocation } from "../core/source-location.js";
import { checkEnvironmentRules } from "./environment-rules.js";
import { type EnvironmentConfig, environmentSchema } from "./environment-schema.js";
import { fanOutWarning } from "./fan-out-proof.js";
import { type LoadedProjectSettings, loadProjectSettings } from "./load-project-settings.js";
import { checkScaleOut } from "./scale-rules.js";
import { defaultSmokeSpec, type SmokeSpec, smokeSpecSchema } from "./smoke-spec.js";
import { MAX_YAML_BYTES, parseYamlSource } from "./yaml-source.js";
import { addZodIssues } from "./zod-diagnostics.js";

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
  locate(path: readonly PropertyKey[], options?: { key?: boolean }): SourceLocation;
}

export interface LoadedEnvironments {
  projectDir: string;
  environments: LoadedEnvironment[];
  diagnostics: Diagnostics;
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
    const path = join(dir, fileName);
    const file = relative(projectDir, path);
    const name = basename(fileName).replace(/\.ya?ml$/, "");
    const read = await readConfigFile(path, MAX_YAML_BYTES, projectDir);
    if (!read.ok) {
      diagnostics.add(refusalDiagnostic("yaml", file, read, MAX_YAML_BYTES));
      continue;
    }
    const source = parseYamlSource(file, read.bytes.toString("utf8"));
    diagnostics.add(...source.diagnostics.items);
    if (source.diagnostics.hasErrors) continue;
    if (!NAME_PATTERN.test(name)) {
      diagnostics.error("config.environment-name", `Environment name "${name}" must match ${NAME_PATTERN}.`, {
        file,
      });
      continue;
    }
    const parsed = environmentSchema.safeParse(source.value ?? {});
    if (!parsed.success) {
      addZodIssues(diagnostics, source, parsed.error.issues, environmentSchema);
      continue;
    }
    const environment = { name, file, config: parsed.data, locate: source.locate };
    checkScaleOut(environment, diagnostics);
    const fanOut = parsed.data.smoke ? fanOutWarning(parsed.data.smoke) : undefined;
    if (fanOut)
      diagnostics.warning("smoke.fan-out-two-clients", `${fanOut}.`, source.locate(["smoke", "echo"]));
    environments.push(environment);
  }
  checkReferences(environments, declaredNames, diagnostics);
  checkEnvironmentRules(environments, diagnostics);
  const shared = await loadSharedSmokeSpec(projectDir, diagnostics);
  diagnostics.add(...(settings ?? (await loadProjectSettings(projectDir))).diagnostics.items);
  const withSmoke = environments.map((environment) =>
    shared && environment.config.smoke === undefined
      ? { ...environment, config: { ...environment.config, smoke: shared } }
      : environment,
  );
  return { projectDir, environments: withSmoke, diagnostics };
}

/** environments/smoke.yaml, validated; undefined when the file doesn't exist or is broken (then reported). */
async function loadSharedSmokeSpec(
  projectDir: string,
  diagnostics: Diagnostics,
): Promise<EnvironmentConfig["smoke"]> {
  const path = join(projectDir, ENVIRONMENTS_DIR, SHARED_SMOKE_FILE);
  const read = await readConfigFile(path, MAX_YAML_BYTES, projectDir);
  if (!read.ok) {
    if (read.reason === "missing") return undefined;
    diagnostics.add(refusalDiagnostic("yaml", relative(projectDir, path), read, MAX_YAML_BYTES));
    return undefined;
  }
  const source = parseYamlSource(relative(projectDir, path), read.bytes.toString("utf8"));
  diagnostics.add(...source.diagnostics.items);
  if (source.diagnostics.hasErrors) return undefined;
  const parsed = smokeSpecSchema.safeParse(source.value ?? {});
  if (!parsed.success) {
    addZodIssues(diagnostics, source, parsed.error.issues, smokeSpecSchema);
    return undefined;
  }
  const fanOut = fanOutWarning(parsed.data);
  if (fanOut) diagnostics.warning("smoke.fan-out-two-clients", `${fanOut}.`, source.locate(["echo"]));
  return parsed.data;
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

/** Loads and returns one environment, or throws a ConfigError listing what is wrong. */
/** The environment's smoke spec (its own, else environments/smoke.yaml's, already merged), or the default. */
export function smokeSpecOf(environment: LoadedEnvironment): SmokeSpec {
  return (environment.config.smoke as SmokeSpec | undefined) ?? defaultSmokeSpec();
}

export async function loadEnvironment(projectDir: string, name: string): Promise<LoadedEnvironment> {
  return pickEnvironment(await loadEnvironments(projectDir), name);
}

/** One environment of those loaded, or a ConfigError naming its first problem (or the known names). */
export function pickEnvironment(loaded: LoadedEnvironments, name: string): LoadedEnvironment {
  const environment = loaded.environments.find((candidate) => candidate.name === name);
  const own = loaded.diagnostics.errors.filter(
    (d) => d.file?.endsWith(`/${name}.yaml`) || d.file?.endsWith(`/${name}.yml`),
  );
  if (own.length > 0) {
    throw new ConfigError(
      "config.invalid",
      `${own[0]!.file} has ${own.length} error(s); first: ${own[0]!.message}`,
      {
        location: {
          file: own[0]!.file!,
          line: own[0]!.line,
          column: own[0]!.column,
          keyPath: own[0]!.keyPath,
        },
        hint: "Run `echogate check` to see every problem.",
        details: { diagnostics: own },
      },
    );
  }
  if (!environment) {
    throw new ConfigError("config.unknown-environment", `No environment named "${name}".`, {
      hint: `Known environments: ${loaded.environments.map((e) => e.name).join(", ") || "none"} (files in ${ENVIRONMENTS_DIR}/).`,
    });
  }
  return environment;
}
