import { stringify } from "yaml";
import { z } from "zod";
import { environmentSchema } from "../../deploy/config/environment-schema.js";
import { projectSettingsSchema } from "../../deploy/config/project-schema.js";
import { smokeSpecSchema } from "../../deploy/config/smoke-spec.js";
import { templateNames } from "../../deploy/config/smoke-templates.js";
import { driftFileSchema } from "../../deploy/drift/policy-file.js";
import { envSchemaFileSchema, variableTypes } from "../../deploy/envfiles/schema.js";
import { bundleScanFileSchema } from "../../deploy/hosting/scan-accept.js";
import { withExpressibleRules } from "./rules.js";

/**
 * JSON Schemas and the reference's key tables, generated from the zod schemas (their `.describe()`
 * texts), so docs and validation can't drift apart. `npm run schemas` writes them; a test compares.
 */

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
};

export interface SchemaFile {
  /** File name under schemas/. */
  file: string;
  /** Title in the reference and the JSON Schema. */
  title: string;
  /** What the file configures, for the reference. */
  target: string;
  schema: z.core.$ZodType;
}

export const SCHEMA_FILES: readonly SchemaFile[] = [
  {
    file: "environment.schema.json",
    title: "Environment",
    target: "environments/<name>.yaml",
    schema: environmentSchema,
  },
  {
    file: "project.schema.json",
    title: "Project settings",
    target: "environments/echogate.yaml",
    schema: projectSettingsSchema,
  },
  {
    file: "smoke.schema.json",
    title: "Smoke spec",
    target: "environments/smoke.yaml, an environment's smoke: section, or smoke --spec",
    schema: smokeSpecSchema,
  },
  {
    file: "env-schema.schema.json",
    title: "Env schema",
    target: "environments/env.schema.yaml",
    schema: envSchemaFileSchema,
  },
  {
    file: "drift.schema.json",
    title: "Drift policy",
    target: "environments/drift.yaml",
    schema: driftFileSchema,
  },
  {
    file: "bundle-scan.schema.json",
    title: "Bundle scan acceptances",
    target: "environments/bundle-scan.yaml",
    schema: bundleScanFileSchema,
  },
];

export function jsonSchemaOf(entry: SchemaFile): JsonSchema {
  const schema = z.toJSONSchema(entry.schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  }) as JsonSchema;
  return {
    ...withExpressibleRules(entry.file, schema),
    $id: `https://echogate.dev/schemas/${entry.file}`,
    title: `echogate ${entry.title} (${entry.target})`,
  };
}

/** schemas/<file> → its text, as checked in. */
export function generateSchemaFiles(): Map<string, string> {
  return new Map(
    SCHEMA_FILES.map((entry) => [entry.file, `${JSON.stringify(jsonSchemaOf(entry), null, 2)}\n`]),
  );
}

export interface KeyRow {
  path: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

/** Every key of a JSON Schema, depth first, with its dot path (`<name>` for map keys, `[]` for list items). */
export function keyRows(
  schema: JsonSchema,
  root: JsonSchema = schema,
  prefix = "",
  stop: readonly string[] = [],
): KeyRow[] {
  const rows: KeyRow[] = [];
  const objects = objectVariants(resolve(schema, root), root);
  const seen = new Map<string, KeyRow>();
  for (const object of objects) {
    for (const [key, raw] of Object.entries(object.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      const child = resolve(raw, root);
      const earlier = seen.get(path);
      if (earlier) {
        // The same key in several variants (`version.from`): one row naming every allowed value.
        const type = typeOf(child, root);
        if (!earlier.type.split(" \\| ").includes(type)) earlier.type = `${earlier.type} \\| ${type}`;
        const text = describe(child, root);
        if (text && !earlier.description.includes(text))
          earlier.description = `${earlier.description} ${text}`;
        continue;
      }
      // In a union, a key is required only in its own variant: say so in the text, not the column.
      const required =
        objects.length === 1 && (object.required ?? []).includes(key) && child.default === undefined;
      const row: KeyRow = {
        path,
        type: typeOf(child, root),
        required,
        default: child.default === undefined ? "" : JSON.stringify(child.default),
        description: describe(child, root),
      };
      seen.set(path, row);
      rows.push(row);
      if (stop.includes(path)) continue;
      rows.push(...keyRows(child, root, path, stop));
      const items = child.items ? resolve(child.items, root) : undefined;
      if (items && objectVariants(items, root).length > 0)
        rows.push(...keyRows(items, root, `${path}[]`, stop));
      const values =
        typeof child.additionalProperties === "object"
          ? resolve(child.additionalProperties, root)
          : undefined;
      if (values && objectVariants(values, root).length > 0)
        rows.push(...keyRows(values, root, `${path}.<name>`, stop));
    }
  }
  return rows;
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (schema.$ref?.startsWith("#/$defs/")) {
    const target = root.$defs?.[schema.$ref.slice("#/$defs/".length)];
    if (target) return { ...target, ...schema, $ref: undefined };
  }
  if (schema.allOf?.length === 1) return { ...resolve(schema.allOf[0]!, root), ...schema, allOf: undefined };
  return schema;
}

function objectVariants(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  if (schema.properties) return [schema];
  const options = schema.anyOf ?? schema.oneOf ?? [];
  return options.map((option) => resolve(option, root)).filter((option) => option.properties);
}

function describe(schema: JsonSchema, root: JsonSchema): string {
  if (schema.description) return schema.description;
  const options = (schema.anyOf ?? schema.oneOf ?? []).map((option) => resolve(option, root));
  return options.find((option) => option.description)?.description ?? "";
}

function typeOf(schema: JsonSchema, root: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value).replaceAll('"', "")).join(" \\| ");
  const options = schema.anyOf ?? schema.oneOf;
  if (options)
    return [...new Set(options.map((option) => typeOf(resolve(option, root), root)))].join(" \\| ");
  if (schema.type === "array")
    return `list of ${schema.items ? typeOf(resolve(schema.items, root), root) : "any"}`;
  if (schema.type === "object" && typeof schema.additionalProperties === "object" && !schema.properties)
    return "map";
  if (Array.isArray(schema.type)) return schema.type.join(" \\| ");
  return schema.type ?? "any JSON";
}

function table(rows: readonly KeyRow[]): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [
    "| Key | Type | Required | Default | Description |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${row.type} | ${row.required ? "yes" : ""} | ${row.default ? `\`${cell(row.default)}\`` : ""} | ${cell(row.description)} |`,
    ),
  ].join("\n");
}

/** Keys whose schema has no description: the reference would leave them unexplained. */
export function undocumentedKeys(): string[] {
  return SCHEMA_FILES.flatMap((entry) =>
    keyRows(jsonSchemaOf(entry))
      .filter((row) => row.description === "")
      .map((row) => `${entry.target}: ${row.path}`),
  );
}

const byFile = (file: string) => jsonSchemaOf(SCHEMA_FILES.find((entry) => entry.file === file)!);

/** The defaults each protocol fills in when a spec gives no join/send/expect. */
function protocolDefaults(): string {
  return (["socket.io", "ws-json"] as const)
    .map((protocol) => {
      const { echo } = smokeSpecSchema.parse({ echo: { protocol } });
      const shown = { protocol, path: echo.path, join: echo.join, send: echo.send, expect: echo.expect };
      return `\`${protocol}\`:\n\n\`\`\`yaml\n${stringify({ echo: shown }).trimEnd()}\n\`\`\``;
    })
    .join("\n\n");
}

/** The key tables and generated facts the reference template's markers stand for. */
export function referenceSections(): Record<string, string> {
  return {
    "keys:environment": table(keyRows(byFile("environment.schema.json"), undefined, "", ["smoke"])),
    "keys:project": table(keyRows(byFile("project.schema.json"))),
    "keys:smoke": table(keyRows(byFile("smoke.schema.json"))),
    "keys:env-schema": table(keyRows(byFile("env-schema.schema.json"))),
    "keys:drift": table(keyRows(byFile("drift.schema.json"))),
    "keys:bundle-scan": table(keyRows(byFile("bundle-scan.schema.json"))),
    "smoke:templates": templateNames.map((name) => `\`{{${name}}}\``).join(", "),
    "smoke:defaults": protocolDefaults(),
    "env:types": variableTypes.map((type) => `\`${type}\``).join(", "),
  };
}

/** Fills `<!-- generated:NAME -->…<!-- /generated -->` blocks of the reference. */
export function fillReference(template: string): string {
  const sections = referenceSections();
  return template.replace(
    /<!-- generated:([\w:-]+) -->[\s\S]*?<!-- \/generated -->/g,
    (_whole, name: string) => {
      const body = sections[name];
      if (body === undefined)
        throw new Error(`docs/reference.md names an unknown generated section "${name}"`);
      return `<!-- generated:${name} -->\n${body}\n<!-- /generated -->`;
    },
  );
}
