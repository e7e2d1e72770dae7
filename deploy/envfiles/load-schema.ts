import type * as z from "zod";
import { parseYamlFile, type YamlFile } from "../config/yaml-file.js";
import type { Diagnostics } from "../core/diagnostics.js";
import type { SourceLocation } from "../core/source-location.js";
import { compileVariable } from "./compile.js";
import { envSchemaFileSchema, type VariableSpec } from "./schema.js";

export const ENV_SCHEMA_FILE = "env.schema.yaml";

export interface EnvSchema {
  /** Path relative to the project, as shown to users. */
  file: string;
  variables: ReadonlyMap<string, VariableSpec>;
  /** Where a variable (or one of its fields) is declared. */
  locate(key: string, field?: keyof VariableSpec): SourceLocation;
}

export interface LoadedEnvSchema {
  /** Undefined when the schema file can't be used; `diagnostics` says why. */
  schema: EnvSchema | undefined;
  diagnostics: Diagnostics;
  /**
   * Keys marked `secret: true`, read even from a schema that fails validation,
   * so their values stay masked while the user fixes the schema.
   */
  secretKeys: ReadonlySet<string>;
}

/** Parses and validates env.schema.yaml text; pure. */
export function parseEnvSchema(file: string, text: string): LoadedEnvSchema {
  return envSchemaOf(parseYamlFile(file, text, envSchemaFileSchema));
}

/** The schema a read env.schema.yaml declares, each variable's settings checked against its type. */
export function envSchemaOf(source: YamlFile<z.output<typeof envSchemaFileSchema>>): LoadedEnvSchema {
  const { diagnostics } = source;
  const secretKeys = secretKeysOf(source.raw);
  if (!source.value) return { schema: undefined, diagnostics, secretKeys };
  const variables = new Map(Object.entries(source.value.variables));
  const schema: EnvSchema = {
    file: source.file,
    variables,
    locate: (key, field) =>
      source.locate(field ? ["variables", key, field] : ["variables", key], { key: !field }),
  };
  for (const [key, spec] of variables) checkVariable(schema, key, spec, diagnostics);
  return { schema: diagnostics.hasErrors ? undefined : schema, diagnostics, secretKeys };
}

function checkVariable(schema: EnvSchema, key: string, spec: VariableSpec, diagnostics: Diagnostics): void {
  const before = diagnostics.errors.length;
  const fail = (field: keyof VariableSpec, message: string, hint: string): void =>
    diagnostics.error("envschema.invalid", message, schema.locate(key, field), hint);
  if (spec.sameAs !== undefined && !schema.variables.has(spec.sameAs)) {
    fail(
      "sameAs",
      `Can't find variable "${spec.sameAs}" named by ${key}.sameAs.`,
      `Declare ${spec.sameAs} under variables:, or fix the name.`,
    );
  } else if (spec.sameAs === key) {
    fail(
      "sameAs",
      `Can't make ${key} the same as itself.`,
      "Name a different variable in sameAs, or remove it.",
    );
  }
  if (spec.type === "enum" && !spec.values) {
    fail(
      "type",
      `Can't use type enum for ${key} without values.`,
      "Add `values: [a, b]` listing the allowed values.",
    );
  }
  if (spec.type !== "enum" && spec.values)
    fail("values", `Can't use values on ${key}: it is not an enum.`, "Set `type: enum` or remove values.");
  if (spec.type !== "url" && spec.protocols)
    fail(
      "protocols",
      `Can't use protocols on ${key}: it is not a url.`,
      "Set `type: url` or remove protocols.",
    );
  if (spec.type !== "int" && (spec.min !== undefined || spec.max !== undefined)) {
    fail(
      spec.min !== undefined ? "min" : "max",
      `Can't use min/max on ${key}: it is not an int.`,
      "Set `type: int` or remove min/max.",
    );
  }
  if (spec.realtimeServer && spec.type !== "url") {
    fail("realtimeServer", `Can't mark ${key} realtimeServer: it is not a url.`, "Set `type: url`.");
  }
  if (spec.corsOrigins && spec.type !== "string") {
    fail(
      "corsOrigins",
      `Can't mark ${key} corsOrigins: it must be a string (comma-separated origins).`,
      "Set `type: string`.",
    );
  }
  if (spec.environmentName && spec.type !== "string" && spec.type !== "enum") {
    fail(
      "environmentName",
      `Can't mark ${key} environmentName: it must be a string or enum.`,
      "Set `type: string` or `type: enum`.",
    );
  }
  if (spec.default !== undefined && diagnostics.errors.length === before) {
    const result = compileVariable(spec).safeParse(String(spec.default));
    if (!result.success) {
      fail(
        "default",
        `Can't use the default of ${key}: ${result.error.issues[0]?.message ?? "invalid"}.`,
        "Fix the default so it matches the type.",
      );
    }
  }
}

function secretKeysOf(value: unknown): Set<string> {
  const keys = new Set<string>();
  const variables = (value as { variables?: unknown } | undefined)?.variables;
  if (variables && typeof variables === "object") {
    for (const [key, spec] of Object.entries(variables)) {
      if ((spec as { secret?: unknown } | null)?.secret === true) keys.add(key);
    }
  }
  return keys;
}
