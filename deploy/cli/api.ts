import { PassThrough } from "node:stream";
import { detectWebFrontEnd } from "../hosting/detect-web-mode.js";
import { runCli } from "./main.js";

// echogate's programmatic API (the package's `import`): each capability runs the command it names
// in this process and returns the document `echogate <command> --json` prints, so code and CI see
// the same results. This file is the whole public surface: its types stand alone (dist/index.d.ts
// is generated from it alone), so a consumer needs no echogate internals or their dependencies.

/** A failed command's result: `ok: false` and what went wrong (docs/reference.md, "Errors"). */
export interface ErrorEnvelope {
  code: string;
  message: string;
  hint?: string;
  location?: { file: string; line?: number; column?: number; keyPath?: string };
  details?: unknown;
}

/** Every result: `ok`, the shape's `schemaVersion`, and the command's own fields. */
export interface EchogateResult {
  ok: boolean;
  schemaVersion: number;
  /** Present when the command failed (config, platform or a failed gate). */
  error?: ErrorEnvelope;
  [field: string]: unknown;
}

/** A progress event (`--json`'s NDJSON on stderr): step.start, step.done, step.fail, warning, notice, … */
export interface EchogateEvent {
  event: string;
  at: string;
  [field: string]: unknown;
}

export interface RunOptions {
  /** The project directory, or a directory inside it (like --cwd; default process.cwd()). */
  cwd?: string;
  /** The environment variables the command sees (default process.env). */
  env?: Record<string, string | undefined>;
  /** Aborting stops the command safely, as Ctrl-C does. */
  signal?: AbortSignal;
  /** Called with each progress event as it happens. */
  onEvent?: (event: EchogateEvent) => void;
}

export interface CheckProblem {
  severity: "error" | "warning";
  code: string;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  keyPath: string | null;
  hint: string | null;
}

export interface CheckResult extends EchogateResult {
  environments?: { name: string; kind: string; file: string; envFile: string | null }[];
  problems?: CheckProblem[];
}

/** What a deploy or promote moved; on a failed gate the same fields are in `error.details`. */
export interface PromotionOutcome {
  ok: boolean;
  result: string;
  mode: "deploy" | "promote";
  environment: string;
  service: string;
  revision: string;
  version: string;
  digest: string;
  url: string | undefined;
  [field: string]: unknown;
}

export interface PromotionResult extends EchogateResult {
  dryRun?: boolean;
  plan?: unknown;
  outcome?: PromotionOutcome;
}

export interface SmokeResult extends EchogateResult {
  url?: string;
  version?: string | null;
  revision?: string | null;
  checks?: { name: string; ok: boolean; [field: string]: unknown }[];
}

export interface DriftResult extends EchogateResult {
  exitCode?: number;
  findings?: unknown[];
}

export interface StatusResult extends EchogateResult {
  environments?: unknown[];
}

/** Runs `argv` with --json in this process; the JSON document it prints. */
async function runJson<T extends EchogateResult>(argv: string[], options: RunOptions): Promise<T> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk));
  let pending = "";
  stderr.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines)
      if (line.trim() && options.onEvent) options.onEvent(JSON.parse(line) as EchogateEvent);
  });
  await runCli([...argv, "--json"], {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    stdout,
    stderr,
    isTTY: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return JSON.parse(Buffer.concat(out).toString("utf8")) as T;
}

const flag = (name: string, value: string | undefined): string[] =>
  value === undefined ? [] : [`--${name}`, value];
const toggle = (name: string, on: boolean | undefined): string[] => (on ? [`--${name}`] : []);
const each = (name: string, values: readonly string[] | undefined): string[] =>
  (values ?? []).flatMap((value) => [`--${name}`, value]);

/** `echogate check`: environments, env files, drift.yaml and the Dockerfile, validated. */
export function check(options: RunOptions & { environments?: readonly string[] } = {}): Promise<CheckResult> {
  return runJson(["check", ...each("env", options.environments)], options);
}

/** `echogate deploy <environment>`: build (or take `image`), deploy beside live traffic, gate, shift. */
export function deploy(
  options: RunOptions & { environment: string; image?: string; version?: string; dryRun?: boolean },
): Promise<PromotionResult> {
  return runJson(
    [
      "deploy",
      options.environment,
      ...flag("image", options.image),
      ...flag("version", options.version),
      ...toggle("dry-run", options.dryRun),
    ],
    options,
  );
}

/** `echogate promote <environment>`: the digest that passed upstream, gated again here. */
export function promote(
  options: RunOptions & {
    environment: string;
    image?: string;
    dryRun?: boolean;
    serverOnly?: boolean;
    strict?: boolean;
  },
): Promise<PromotionResult> {
  return runJson(
    [
      "promote",
      options.environment,
      ...flag("image", options.image),
      ...toggle("dry-run", options.dryRun),
      ...toggle("server-only", options.serverOnly),
      ...toggle("strict", options.strict),
    ],
    options,
  );
}

/** `echogate smoke [url]`: the protocol-level gate against a running service. */
export function smoke(
  options: RunOptions & {
    url?: string;
    environment?: string;
    spec?: string;
    expectVersion?: string;
    expectRevision?: string;
    timeoutMs?: number;
  },
): Promise<SmokeResult> {
  return runJson(
    [
      "smoke",
      ...(options.url ? [options.url] : []),
      ...flag("env", options.environment),
      ...flag("spec", options.spec),
      ...flag("expect-version", options.expectVersion),
      ...flag("expect-revision", options.expectRevision),
      ...flag("timeout", options.timeoutMs === undefined ? undefined : String(options.timeoutMs)),
    ],
    options,
  );
}

/** `echogate drift`: what differs between environments (`source`: the repository's files only). */
export function drift(
  options: RunOptions & { environments?: readonly string[]; source?: boolean } = {},
): Promise<DriftResult> {
  return runJson(
    ["drift", ...each("env", options.environments), ...toggle("source", options.source)],
    options,
  );
}

/** `echogate status [environment]`: what each environment serves. */
export function status(options: RunOptions & { environment?: string } = {}): Promise<StatusResult> {
  return runJson(["status", ...(options.environment ? [options.environment] : [])], options);
}

export type WebMode = "runtime-config" | "template" | "rebuild";

export interface WebModeProposal {
  /** The front end's framework: `next`, `vite`, `cra` or `static`. */
  framework: "next" | "vite" | "cra" | "static";
  mode: WebMode;
  /** The build command to propose for build-time modes. */
  buildCommand?: string;
  /** Where the build writes (hosting.publicDir). */
  publicDir?: string;
  reason: string;
}

export interface PackageJsonLike {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  proxy?: unknown;
}

/**
 * Which web mode (hosting.mode) fits a front end, from its package.json and the project's file
 * paths (relative, `/`-separated); `readText` lets it look inside files. Pure.
 */
export function detectWebMode(
  packageJson: PackageJsonLike | undefined,
  files: readonly string[],
  readText?: (path: string) => string | undefined,
): WebModeProposal {
  const { framework, mode, buildCommand, publicDir, reason } = detectWebFrontEnd(
    packageJson,
    files,
    readText,
  );
  return {
    framework,
    mode,
    reason,
    ...(buildCommand ? { buildCommand } : {}),
    ...(publicDir ? { publicDir } : {}),
  };
}
