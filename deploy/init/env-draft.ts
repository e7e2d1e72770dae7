import { posix } from "node:path";
import type { EnvironmentKind } from "../config/environment-schema.js";
import { environmentKinds } from "../config/environment-schema.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { credentialLikeValue, looksLikeCredentialName } from "../envfiles/credential-patterns.js";
import { parseDotenv } from "../envfiles/parse-dotenv.js";
import { SERVICE_URL_PLACEHOLDER } from "../envfiles/placeholders.js";
import type { VariableType } from "../envfiles/schema.js";
import type { ImageVariable } from "./image-env.js";

/** Env file names init reads, per environment, first match wins. */
const ENV_FILE_SOURCES: Record<EnvironmentKind, readonly string[]> = {
  local: [".env.local", ".env.development", ".env"],
  preview: [".env.preview"],
  staging: [".env.staging"],
  production: [".env.production"],
};

/** Files that list the variables a project reads, with placeholder values: a schema draft, never a deployed value. */
const EXAMPLE_FILES = [".env.example", ".env.sample", ".env.template", ".env.dist"];

/** Set by Cloud Run or by echogate itself: never declared by the project. */
const PLATFORM_VARIABLES = new Set(["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "APP_VERSION"]);

const PUBLIC_PREFIXES = ["NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "PUBLIC_"];

export interface DraftVariable {
  key: string;
  type: VariableType;
  secret: boolean;
  public: boolean;
  /** A URL of the project's own realtime server: written as ${SERVICE_URL} in generated env files. */
  realtimeServer: boolean;
  /** Missing from some of the existing env files. */
  environmentSpecific: boolean;
  /** Empty in some file, or a secret init leaves out of the generated files. */
  optional: boolean;
  /** Why it was marked secret (a name or value pattern), for the summary; never the value. */
  secretBecause?: string;
  /** Where it was found when no environment's env file sets it: `.env.example`, `Dockerfile:7`. */
  declaredIn?: string;
  /** The image sets it (`ENV` in the Dockerfile): env files may leave it out. */
  setByImage?: boolean;
  /** Known only from an example file whose value names a developer's machine: each environment sets its own. */
  needsValue?: boolean;
}

export interface EnvDraft {
  /** The existing env file each environment's generated file comes from; `example` drafted the schema. */
  sources: Partial<Record<EnvironmentKind | "example", string>>;
  variables: DraftVariable[];
  /** Generated environments/.env.<kind> contents. */
  files: Record<EnvironmentKind, string>;
  problems: Diagnostic[];
}

interface ParsedSource {
  kind: EnvironmentKind;
  file: string;
  values: Map<string, string>;
}

const OWN_SERVER_KEY = /(SOCKET|SIGNAL|SIGNALING|WS|WSS|REALTIME|SERVER)/;

/**
 * Pure: env files (path → text, relative to the project) → an env schema draft and one generated env
 * file per environment. `.env.example` (or .sample…) adds its keys to the schema and the local file;
 * the image's `ENV` variables are declared optional (the image sets them).
 *
 * environmentSpecific (may be missing from an env file) is set only for a key that one deployed
 * environment's file (staging, preview, production) sets and another's leaves out: a value that
 * merely differs per environment needs no flag, and a key known only from a local or example file is
 * required everywhere, so `check` names each deployed env file that still lacks it.
 */
export function draftEnv(
  envFiles: ReadonlyMap<string, string>,
  workingDir: string,
  imageEnv: readonly ImageVariable[] = [],
): EnvDraft {
  const problems: Diagnostic[] = [];
  const parsed: ParsedSource[] = [];
  const sources: EnvDraft["sources"] = {};
  for (const kind of environmentKinds) {
    const file = ENV_FILE_SOURCES[kind]
      .flatMap((name) => (workingDir === "." ? [name] : [posix.join(workingDir, name), name]))
      .find((path) => envFiles.has(path));
    if (!file) continue;
    const result = parseDotenv(file, envFiles.get(file)!);
    problems.push(...result.diagnostics.filter((d) => d.severity === "error"));
    sources[kind] = file;
    parsed.push({ kind, file, values: new Map(result.entries.map((entry) => [entry.key, entry.value])) });
  }
  const exampleFile = EXAMPLE_FILES.flatMap((name) =>
    workingDir === "." ? [name] : [posix.join(workingDir, name), name],
  ).find((path) => envFiles.has(path));
  let example: ParsedSource | undefined;
  if (exampleFile) {
    const result = parseDotenv(exampleFile, envFiles.get(exampleFile)!);
    problems.push(...result.diagnostics.filter((d) => d.severity === "error"));
    sources.example = exampleFile;
    example = {
      kind: "local",
      file: exampleFile,
      values: new Map(
        result.entries
          .filter((entry) => !PLATFORM_VARIABLES.has(entry.key))
          .map((entry) => [entry.key, entry.value]),
      ),
    };
  }
  const keys = [...new Set(parsed.flatMap((source) => [...source.values.keys()]))];
  const variables = keys.map((key) => draftVariable(key, parsed));
  for (const key of example?.values.keys() ?? []) {
    if (keys.includes(key)) continue;
    const drafted = draftVariable(key, [example!]);
    variables.push({
      ...drafted,
      environmentSpecific: false,
      declaredIn: example!.file,
      needsValue: drafted.secret || !portableExample(key, example!.values.get(key)!),
    });
  }
  for (const variable of imageEnv) {
    if (PLATFORM_VARIABLES.has(variable.key) || variables.some((known) => known.key === variable.key))
      continue;
    const type = /\$/.test(variable.value) ? "string" : inferType(variable.key, [variable.value]);
    variables.push({
      key: variable.key,
      type,
      secret: false,
      public: false,
      realtimeServer: false,
      environmentSpecific: false,
      optional: true,
      declaredIn: variable.where,
      setByImage: true,
    });
  }
  if (example && !parsed.some((source) => source.kind === "local")) parsed.push(example);
  const files = Object.fromEntries(
    environmentKinds.map((kind) => [kind, renderEnvFile(kind, parsed, variables, sources, example)]),
  ) as Record<EnvironmentKind, string>;
  return { sources, variables, files, problems };
}

function draftVariable(key: string, parsed: readonly ParsedSource[]): DraftVariable {
  const values = parsed.flatMap((source) => (source.values.has(key) ? [source.values.get(key)!] : []));
  const filled = values.filter((value) => value !== "");
  const deployed = parsed.filter((source) => source.kind !== "local");
  const isPublic = PUBLIC_PREFIXES.some((prefix) => key.startsWith(prefix));
  const byValue = filled.map((value) => credentialLikeValue(value)).find((why) => why !== undefined);
  const byName = looksLikeCredentialName(key) && !isPublic;
  const realtimeServer = filled.length > 0 && filled.every((value) => pointsAtOwnServer(key, value));
  return {
    key,
    type: realtimeServer ? "url" : inferType(key, filled),
    secret: !isPublic && (byName || byValue !== undefined),
    public: isPublic,
    realtimeServer,
    environmentSpecific:
      deployed.some((source) => !source.values.has(key)) && deployed.some((source) => source.values.has(key)),
    optional: filled.length < values.length || (!isPublic && (byName || byValue !== undefined)),
    ...(byName ? { secretBecause: "its name" } : byValue ? { secretBecause: "its value" } : {}),
  };
}

function inferType(key: string, values: readonly string[]): VariableType {
  if (values.length === 0) return "string";
  if (key === "PORT" && values.every((value) => /^\d+$/.test(value))) return "port";
  if (values.every((value) => /^-?\d+$/.test(value))) return "int";
  if (values.every((value) => /^(true|false)$/.test(value))) return "bool";
  // Origin lists are comma-separated as soon as a second origin is added: a url type would refuse them.
  if (/ORIGIN|CORS/.test(key)) return "string";
  if (
    values.every(
      (value) => /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(value) && URL.canParse(value) && new URL(value).host,
    )
  )
    return "url";
  if (values.every((value) => /^[[{]/.test(value) && isJson(value))) return "json";
  return "string";
}

function isJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** A WebSocket URL, a Cloud Run URL, or a loopback URL under a server-ish name: this project's own server. */
function pointsAtOwnServer(key: string, value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (!url.host) return false;
  if (url.protocol === "ws:" || url.protocol === "wss:") return true;
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (url.hostname.endsWith(".run.app")) return true;
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) && OWN_SERVER_KEY.test(key);
}

function placeholderFor(value: string): string {
  const path = new URL(value).pathname.replace(/\/+$/, "");
  return `${SERVICE_URL_PLACEHOLDER}${path}`;
}

/** One generated env file: values from this environment's file, else from the nearest one; secrets never copied. */
function renderEnvFile(
  kind: EnvironmentKind,
  parsed: readonly ParsedSource[],
  variables: readonly DraftVariable[],
  sources: EnvDraft["sources"],
  example: ParsedSource | undefined,
): string {
  const own = parsed.find((source) => source.kind === kind);
  const nearest = (key: string) =>
    own?.values.has(key)
      ? own
      : nearestSource(
          kind,
          parsed.filter((source) => source.values.has(key)),
        );
  const from = sources[kind];
  const borrowed = [
    ...new Set(
      variables.flatMap((v) =>
        own?.values.has(v.key) || (own && v.environmentSpecific) ? [] : [nearest(v.key)?.file ?? ""],
      ),
    ),
  ]
    .filter(Boolean)
    .join(", ");
  const lines = [
    `# ${kind}: generated by echogate init${from ? ` from ${from}` : ""}. Checked against env.schema.yaml by \`echogate check\`.`,
    ...(borrowed
      ? [
          `# ${from ? "Some values" : `No env file for ${kind} existed: values`} come from ${borrowed}; review them for ${kind}.`,
        ]
      : []),
    "# Secret values are never copied here: set them in your CI's secret store (or here, keeping this file out of git).",
  ];
  for (const variable of variables) {
    const source = nearest(variable.key);
    if (!source) {
      const sample = example?.values.get(variable.key);
      if (sample !== undefined && !variable.secret && portableExample(variable.key, sample))
        lines.push(
          `# ${variable.key}: the value from ${example!.file}; review it for ${kind}`,
          `${variable.key}=${quote(sample)}`,
        );
      else if (variable.declaredIn && !variable.setByImage)
        lines.push(`# ${variable.key}=   (listed in ${variable.declaredIn}: set ${kind}'s value)`);
      continue;
    }
    if (own && !own.values.has(variable.key) && variable.environmentSpecific) continue;
    const value = source.values.get(variable.key)!;
    if (variable.secret) {
      lines.push(`# ${variable.key}=   (secret: not copied from ${source.file})`);
      continue;
    }
    const written = variable.realtimeServer && value !== "" ? placeholderFor(value) : value;
    lines.push(`${variable.key}=${quote(written)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * An example value fit for every environment as a start (a log level, a size): not a URL, host or
 * origin, which in an example names a developer's machine, and not empty.
 */
function portableExample(key: string, value: string): boolean {
  return (
    value !== "" &&
    !/URL|URI|HOST|ORIGIN|ENDPOINT|DOMAIN|DSN|ADDR|CORS/i.test(key) &&
    !/:\/\/|localhost|127\.0\.0\.1|\[::1\]|^[\w.-]+\.[a-z]{2,}(:\d+)?$|:\d{2,5}$/i.test(value)
  );
}

const ORDER: readonly EnvironmentKind[] = ["staging", "preview", "production", "local"];

function nearestSource(kind: EnvironmentKind, having: readonly ParsedSource[]): ParsedSource | undefined {
  // Values of a missing environment come from the one most like it: staging first, never local for a deployed one.
  const order = kind === "local" ? ["local", ...ORDER] : ORDER.filter((candidate) => candidate !== "local");
  for (const candidate of order) {
    const found = having.find((source) => source.kind === candidate);
    if (found) return found;
  }
  return undefined;
}

function quote(value: string): string {
  return /[\s#"'\\]/.test(value) ? `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : value;
}
