import { readFile } from "node:fs/promises";
import { parseYamlSource, type YamlSource } from "../config/yaml-source.js";
import { addZodIssues } from "../config/zod-diagnostics.js";
import { Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import { formatKeyPath } from "../core/source-location.js";
import { type SmokeSpec, smokeSpecSchema } from "./spec.js";

/** Specs this module produced: a gate run re-validating them would only cost time. */
const validated = new WeakSet<object>();

/**
 * Validates a spec value (already parsed data or user input) and fills the
 * defaults. Throws ConfigError naming the key path of the first problem, with
 * every problem in `details.diagnostics`.
 */
export function parseSmokeSpec(value: unknown, source?: YamlSource): SmokeSpec {
  if (typeof value === "object" && value !== null && validated.has(value)) return value as SmokeSpec;
  const parsed = smokeSpecSchema.safeParse(value ?? {});
  if (parsed.success) {
    validated.add(parsed.data);
    return parsed.data;
  }
  const diagnostics = new Diagnostics();
  if (source) addZodIssues(diagnostics, source, parsed.error.issues);
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
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      "smoke.spec-unreadable",
      `Can't read the smoke spec ${shownAs}: ${(error as Error).message}`,
      {
        hint: "Check the --spec path (relative to --cwd).",
      },
    );
  }
  const source = parseYamlSource(shownAs, text);
  if (source.diagnostics.hasErrors) throw specError(source.diagnostics);
  return parseSmokeSpec(source.value, source);
}

function specError(diagnostics: Diagnostics): ConfigError {
  const first = diagnostics.errors[0]!;
  const count = diagnostics.errors.length;
  return new ConfigError(
    "smoke.invalid-spec",
    `Can't use the smoke spec: ${first.keyPath ? `${first.keyPath}: ` : ""}${first.message}${count > 1 ? ` (and ${count - 1} more)` : ""}`,
    {
      hint: "Fix the spec; see `echogate smoke --help` and deploy/smoke/spec.ts for every key.",
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
      details: { diagnostics: diagnostics.errors },
    },
  );
}
