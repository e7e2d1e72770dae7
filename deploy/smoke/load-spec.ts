import { type SmokeSpec, smokeSpecSchema } from "../config/smoke-spec.js";
import { loadYamlFile } from "../config/yaml-file.js";
import { configErrorFrom, Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { formatKeyPath } from "../core/source-location.js";

/** Specs this module produced: a gate run re-validating them would only cost time. */
const validated = new WeakSet<object>();

const SPEC_HINT =
  "Fix the spec; every key is in docs/reference.md (Smoke spec) and schemas/smoke.schema.json.";

/**
 * Validates a spec value (already parsed data or user input) and fills the defaults. Throws
 * ConfigError whose message lists every problem with its key path, located at the first; every
 * problem is also in `details.diagnostics`.
 */
export function parseSmokeSpec(value: unknown): SmokeSpec {
  if (typeof value === "object" && value !== null && validated.has(value)) return value as SmokeSpec;
  const parsed = smokeSpecSchema.safeParse(value ?? {});
  if (parsed.success) {
    validated.add(parsed.data);
    return parsed.data;
  }
  const diagnostics = new Diagnostics();
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
  throw specError(diagnostics);
}

/**
 * Reads a standalone spec file (the `smoke:` section's shape at the top level): `file` is relative
 * to `cwd` (or absolute) and may lie outside the project.
 */
export async function loadSmokeSpecFile(cwd: string, file: string): Promise<SmokeSpec> {
  const loaded = await loadYamlFile(cwd, file, smokeSpecSchema, {
    optional: true,
    refusalCode: "smoke.spec",
    anywhere: true,
  });
  if (loaded.status === "missing") {
    throw new ConfigError("smoke.spec-unreadable", `Can't read the smoke spec ${file}: it doesn't exist.`, {
      location: { file },
      hint: "Check the --spec path (relative to --cwd).",
    });
  }
  if (loaded.status === "refused") throw configErrorFrom(loaded.diagnostics.errors);
  if (!loaded.value) throw specError(loaded.diagnostics);
  validated.add(loaded.value);
  return loaded.value;
}

function specError(diagnostics: Diagnostics): ConfigError {
  return configErrorFrom(diagnostics.errors, {
    code: "smoke.invalid-spec",
    subject: "the smoke spec",
    hint: SPEC_HINT,
  });
}
