import { join } from "node:path";
import { travelOrder } from "../config/environment-schema.js";
import {
  ENVIRONMENTS_DIR,
  type LoadedEnvironment,
  type LoadedEnvironments,
} from "../config/load-environments.js";
import { FIREBASE_JSON, FIREBASE_RC, type LoadedFirebaseJson } from "../config/load-firebase-json.js";
import { type Diagnostic, Diagnostics } from "../core/diagnostics.js";
import { UsageError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";
import { isFileRefusal } from "../core/read-config-file.js";
import type { Redactor } from "../core/redact.js";
import { deployabilityDiagnostics } from "../model/name-limits.js";
import { withConfigHint } from "./config-hints.js";
import { firebaseJsonDiagnostics } from "./firebase-json-rules.js";
import type { LoadedEnvFile } from "./load-env-file.js";
import { ENV_SCHEMA_FILE, type LoadedEnvSchema } from "./load-schema.js";
import type { EnvSchemaFileRead } from "./read-schema-file.js";
import { rules } from "./rules/index.js";
import type { EnvironmentFacts, RuleContext } from "./rules/types.js";
import { buildMatrix, type Matrix, type MatrixVariable } from "./value-matrix.js";
import { webOriginsOf } from "./web-origins.js";

interface CheckOptions {
  /** Every secret value read is registered here before anything is printed. */
  redactor: Redactor;
  /** Check only these environments (others are still read, to compare against). */
  only?: readonly string[];
}

interface CheckedEnvironment {
  name: string;
  kind: string;
  file: string;
  envFile: string | null;
}

export interface CheckReport {
  ok: boolean;
  exitCode: ExitCode;
  environments: CheckedEnvironment[];
  variables: MatrixVariable[];
  matrix: Matrix;
  diagnostics: Diagnostic[];
}

/** What `check` judges, each file read once by the caller (the Project). */
interface LoadedProjectFiles {
  environments: LoadedEnvironments;
  schema: EnvSchemaFileRead;
  /** One per environment, in the order of `environments.environments`. */
  envFiles: readonly LoadedEnvFile[];
  /** firebase.json and .firebaserc, when the project has them. */
  firebaseJson?: LoadedFirebaseJson;
}

/** Validates environments/*.yaml, env.schema.yaml and every env file, then runs the cross-environment rules. */
export function checkLoadedProject(files: LoadedProjectFiles, options: CheckOptions): CheckReport {
  const loaded = files.environments;
  const configDiagnostics: Diagnostic[] = [
    ...loaded.diagnostics.items,
    // What deploy would refuse before any API call is a config error here already.
    ...loaded.environments.flatMap(deployabilityDiagnostics),
  ];
  const loadedSchema = schemaOrDiagnostics(files.schema);
  configDiagnostics.push(...loadedSchema.diagnostics.items);
  const selected = selectEnvironments(loaded.environments, configDiagnostics, options.only);

  const envDiagnostics: Diagnostic[] = [];
  const facts: EnvironmentFacts[] = [];
  const { envFiles } = files;
  loaded.environments.forEach((environment, index) => {
    const { envFile, diagnostics } = envFiles[index]!;
    // A file that can't be read at all is a config error (exit 2), not an invalid value.
    for (const d of diagnostics) (isFileRefusal(d) ? configDiagnostics : envDiagnostics).push(d);
    facts.push({
      name: environment.name,
      kind: environment.config.kind,
      file: environment.file,
      config: environment.config,
      locate: environment.locate,
      envFile,
      webOrigins: webOriginsOf(environment.config.hosting),
    });
  });

  const schema = loadedSchema.schema;
  if (schema) {
    for (const spec of schema.variables.values()) {
      if (spec.secret && spec.default !== undefined) options.redactor.add(String(spec.default));
    }
    const ctx: RuleContext = { schema, environments: facts };
    for (const rule of rules) envDiagnostics.push(...rule.check(ctx));
  }

  if (files.firebaseJson) {
    const firebase = firebaseJsonDiagnostics(files.firebaseJson, loaded.environments, selected);
    configDiagnostics.push(...firebase.config);
    envDiagnostics.push(...firebase.environment);
  }

  const shownFiles = new Set<string>([join(ENVIRONMENTS_DIR, ENV_SCHEMA_FILE), FIREBASE_JSON, FIREBASE_RC]);
  for (const environment of facts.filter((f) => selected.has(f.name))) {
    shownFiles.add(environment.file);
    if (environment.envFile) shownFiles.add(environment.envFile.file);
    else shownFiles.add(join(ENVIRONMENTS_DIR, environment.config.service.envFile));
  }
  const keep = (d: Diagnostic): boolean => !options.only || !d.file || shownFiles.has(d.file);
  const config = configDiagnostics.filter(keep).map(withConfigHint);
  const env = envDiagnostics.filter(keep);
  const exitCode =
    config.some(isError) || env.some(isMissingEnvFile)
      ? ExitCode.config
      : env.some(isError)
        ? ExitCode.checkFailed
        : ExitCode.ok;
  const shown = facts.filter((f) => selected.has(f.name)).sort(travelOrder);
  const { variables, matrix } = buildMatrix(shown, schema, loadedSchema.secretKeys);
  return {
    ok: exitCode === ExitCode.ok,
    exitCode,
    environments: shown.map((f) => ({
      name: f.name,
      kind: f.kind,
      file: f.file,
      envFile: f.envFile?.file ?? null,
    })),
    variables,
    matrix,
    diagnostics: [...config, ...env],
  };
}

function isError(diagnostic: Diagnostic): boolean {
  return diagnostic.severity === "error";
}

function schemaOrDiagnostics(read: EnvSchemaFileRead): LoadedEnvSchema {
  if (read.status === "read") return read;
  const diagnostics = new Diagnostics();
  if (read.status === "refused") diagnostics.add(read.diagnostic);
  else
    diagnostics.error(
      "envschema.missing",
      `Can't find ${read.file}.`,
      { file: read.file },
      "Create it: it declares every variable the env files may set (type, required, secret, public).",
    );
  return { schema: undefined, diagnostics, secretKeys: new Set() };
}

function selectEnvironments(
  environments: readonly LoadedEnvironment[],
  configDiagnostics: readonly Diagnostic[],
  only: readonly string[] | undefined,
): Set<string> {
  const names = environments.map((environment) => environment.name);
  if (!only || only.length === 0) return new Set(names);
  const broken = new Set(
    configDiagnostics.flatMap((d) => (d.file ? [/([^/\\]+)\.ya?ml$/.exec(d.file)?.[1] ?? ""] : [])),
  );
  for (const name of only) {
    if (!names.includes(name) && !broken.has(name)) {
      throw new UsageError(`No environment named "${name}".`, {
        hint: `Known environments: ${names.join(", ") || "none"} (files in ${ENVIRONMENTS_DIR}/).`,
      });
    }
  }
  return new Set(only);
}

/** An env file that isn't there is a configuration error (exit 2), not an env file that fails its checks (1). */
function isMissingEnvFile(diagnostic: Diagnostic): boolean {
  return diagnostic.severity === "error" && diagnostic.code === "env.missing-file";
}
