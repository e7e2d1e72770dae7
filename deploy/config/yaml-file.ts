import { resolve } from "node:path";
import type * as z from "zod";
import { Diagnostics } from "../core/diagnostics.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import type { SourceLocation } from "../core/source-location.js";
import { locateLater, MAX_YAML_BYTES, parseYamlSource } from "./yaml-source.js";
import { activeYamlValueCache } from "./yaml-value-cache.js";
import { addZodIssues } from "./zod-diagnostics.js";

/** Position of the value (or with `key: true`, of the key) at a path, as file:line:column and key. */
export type Locate = (path: readonly PropertyKey[], options?: { key?: boolean }) => SourceLocation;

/** One config file, read, parsed and validated; every problem is a diagnostic naming file, line and key. */
export interface YamlFile<T> {
  /** As given (relative to the project), as shown to users. */
  file: string;
  /**
   * `missing`: an optional file that isn't there; `refused`: not read (not a regular file, too
   * large, leading out of the project, or a required file that is missing); `invalid`: YAML or
   * schema errors; `valid`: `value` holds the validated data.
   */
  status: "missing" | "refused" | "invalid" | "valid";
  /** The validated value (defaults filled); undefined unless `valid`. */
  value: T | undefined;
  /** The parsed YAML before validation; undefined when the file could not be parsed. */
  raw: unknown;
  diagnostics: Diagnostics;
  locate: Locate;
}

interface ValidateOptions {
  /**
   * Values the schema validated may be kept in the process's value cache (yaml-value-cache.ts) under
   * this name, by text. Only for a pure schema: no refinement reads anything but the value (no file,
   * no environment, no clock), so the same text always validates to the same value.
   */
  cacheAs?: string;
}

interface YamlFileOptions extends ValidateOptions {
  /** A missing file is `missing` without a diagnostic (else it is refused with one). */
  optional?: boolean;
  /** First part of a refusal's code (`yaml.too-large`); default `yaml`. */
  refusalCode?: string;
  /** The file may lie outside the project (a path the user names on the command line). */
  anywhere?: boolean;
}

/** Reads `file` (relative to `projectDir`, or absolute) through the safe config reader and validates it. */
export async function loadYamlFile<Schema extends z.ZodType>(
  projectDir: string,
  file: string,
  schema: Schema,
  options: YamlFileOptions = {},
): Promise<YamlFile<z.output<Schema>>> {
  const read = await readConfigFile(
    resolve(projectDir, file),
    MAX_YAML_BYTES,
    options.anywhere ? undefined : projectDir,
  );
  if (read.ok) return parseYamlFile(file, read.bytes.toString("utf8"), schema, options);
  const diagnostics = new Diagnostics();
  const unread = { file, value: undefined, raw: undefined, diagnostics, locate: () => ({ file }) };
  if (read.reason === "missing" && options.optional) return { ...unread, status: "missing" };
  diagnostics.add(refusalDiagnostic(options.refusalCode ?? "yaml", file, read, MAX_YAML_BYTES));
  return { ...unread, status: "refused" };
}

/** Parses and validates YAML text as `file`; pure (the loaders' tests give it text directly). */
export function parseYamlFile<Schema extends z.ZodType>(
  file: string,
  text: string,
  schema: Schema,
  options: ValidateOptions = {},
): YamlFile<z.output<Schema>> {
  const { cacheAs } = options;
  const cache = cacheAs === undefined ? undefined : activeYamlValueCache();
  const key = `${cacheAs}\0${text}`;
  const known = cache?.lookup(key)?.value as { raw: unknown; value: z.output<Schema> } | undefined;
  if (known) {
    const locate = locateLater(file, text);
    return {
      file,
      raw: known.raw,
      value: known.value,
      status: "valid",
      diagnostics: new Diagnostics(),
      locate,
    };
  }
  const loaded = validateYamlFile(file, text, schema);
  if (cache && loaded.status === "valid" && loaded.diagnostics.items.length === 0)
    cache.remember(key, { raw: loaded.raw, value: loaded.value });
  return loaded;
}

function validateYamlFile<Schema extends z.ZodType>(
  file: string,
  text: string,
  schema: Schema,
): YamlFile<z.output<Schema>> {
  const source = parseYamlSource(file, text);
  const diagnostics = new Diagnostics();
  diagnostics.add(...source.diagnostics.items);
  const parsed = { file, raw: source.value, diagnostics, locate: source.locate };
  if (source.diagnostics.hasErrors) return { ...parsed, status: "invalid", value: undefined };
  const validated = schema.safeParse(source.value ?? {});
  if (!validated.success) {
    addZodIssues(diagnostics, source, validated.error.issues, schema);
    return { ...parsed, status: "invalid", value: undefined };
  }
  return { ...parsed, status: "valid", value: validated.data };
}
