import { type SmokeSpec, smokeSpecSchema } from "../config/smoke-spec.js";
import { MAX_YAML_BYTES, parseYamlSource, type YamlSource } from "../config/yaml-source.js";
import { addZodIssues } from "../config/zod-diagnostics.js";
import { type Diagnostic, Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import { formatKeyPath, formatLocation } from "../core/source-location.js";

/** Specs this module produced: a gate run re-validating them would only cost time. */
const validated = new WeakSet<object>();

/**
 * Validates a spec value (already parsed data or user input) and fills the
 * defaults. Throws ConfigError whose message lists every problem with its key
 * path, located at the first; every problem is also in `details.diagnostics`.
 */
export function parseSmokeSpec(value: unknown, source?: YamlSource): SmokeSpec {
  if (typeof value === "object" && value !== null && validated.has(value)) return value as SmokeSpec;
  const parsed = smokeSpecSchema.safeParse(value ?? {});
  if (parsed.success) {
    validated.add(parsed.data);
    return parsed.data;
  }
  const diagnostics = new Diagnostics();
  if (source) addZodIssues(diagnostics, source, parsed.error.issues, smokeSpecSchema);
  else {
    for (const issue of parsed.error.issues) {
      const path = issue.path as PropertyKey[];
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...path, key]) : [path];
      for (const keyPath of keys) {
        diagnostics.error(
          issue.code === "unrecognized_keys"
            ? "config.unknown-key"
            : `config.${issue.code.replaceAll("_", "-")}`,
          issue.code === "unrecognized_keys" ? `Unknown key "${String(keyPath.at(-1))}".` : issue.message,
          { file: "smoke spec", keyPath: formatKeyPath(keyPath) },
        );
      }
    }
  }
  throw specError(diagnostics);
}

/** Reads a standalone spec file (the `smoke:` section's shape at the top level). */
export async function loadSmokeSpecFile(path: string, shownAs = path): Promise<SmokeSpec> {
  const read = await readConfigFile(path, MAX_YAML_BYTES);
  if (!read.ok) {
    const refused = refusalDiagnostic("smoke.spec", shownAs, read, MAX_YAML_BYTES);
    throw new ConfigError(
      read.reason === "missing" ? "smoke.spec-unreadable" : refused.code,
      `Can't read the smoke spec ${shownAs}: ${read.detail}${read.reason === "not-a-file" ? ", not a regular file" : ""}.`,
      {
        location: { file: shownAs },
        hint: read.reason === "missing" ? "Check the --spec path (relative to --cwd)." : refused.hint!,
      },
    );
  }
  const source = parseYamlSource(shownAs, read.bytes.toString("utf8"));
  if (source.diagnostics.hasErrors) throw specError(source.diagnostics);
  return parseSmokeSpec(source.value, source);
}

function specError(diagnostics: Diagnostics): ConfigError {
  const errors = diagnostics.errors;
  const first = errors[0]!;
  // One problem reads on one line after its location; several get a line each, so none is hidden.
  const message =
    errors.length === 1
      ? `Can't use the smoke spec: ${first.keyPath ? `${first.keyPath}: ` : ""}${first.message}`
      : `Can't use the smoke spec: ${errors.length} problems:${errors.map((error) => `\n  ${describe(error)}`).join("")}`;
  return new ConfigError("smoke.invalid-spec", message, {
    hint: "Fix the spec; every key is in docs/reference.md (Smoke spec) and schemas/smoke.schema.json.",
    ...(first.file
      ? {
          location: {
            file: first.file,
            line: first.line,
            column: first.column,
            keyPath: first.keyPath,
          },
        }
      : {}),
    details: { diagnostics: errors },
  });
}

function describe(error: Diagnostic): string {
  const where = error.file ? formatLocation({ ...error, file: error.file }) : error.keyPath;
  return where ? `${where}: ${error.message}` : error.message;
}
