import { type EnvironmentKind, travelOrder } from "../config/environment-schema.js";
import {
  ENVIRONMENTS_DIR,
  type LoadedEnvironment,
  type LoadedEnvironments,
} from "../config/load-environments.js";
import { type Diagnostic, Diagnostics } from "../core/diagnostics.js";
import { ConfigError } from "../core/errors.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import type { ResolvedLayout } from "../source/layout.js";
import { scanGateBypass } from "../source/scan-gate-bypass.js";
import { scanListenHost } from "../source/scan-listen-host.js";
import { scanNativeDeps } from "../source/scan-native-deps.js";
import { collectDeclared, collectEnvSchema } from "./collect/declared.js";
import { collectSharedBackends } from "./collect/shared-backends.js";
import { collectSourceDrift } from "./collect/source-facts.js";
import type { DriftFacts } from "./facts.js";

export const DEFAULT_CONCURRENCY = 16;

/**
 * Kinds whose own service CI deploys. Without `--env`, live facts are read for these only: a `local`
 * environment is a developer's machine and a `preview` environment is the template of per-branch
 * services, so neither has a service of its own to compare (source facts still cover every one).
 */
const DEPLOYED_KINDS: readonly EnvironmentKind[] = ["staging", "production"];

export interface CollectDriftOptions {
  project: Project;
  platform: Platform;
  /**
   * Environment names, each read live. Default: every environment's source facts, and live facts
   * for the `DEPLOYED_KINDS`.
   */
  environments?: readonly string[];
  /** Source facts only: no cloud calls. */
  sourceOnly?: boolean;
  /** Cloud Run reads and probes in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface CollectedDrift {
  facts: DriftFacts;
  /** Problems in environments/ that did not stop collection (other environments' files). */
  diagnostics: Diagnostic[];
  /**
   * Every environment environments/ names, selected or not. A file with errors still names one, so
   * environments/drift.yaml can refer to it without a second, false error.
   */
  environmentNames: string[];
}

interface Selected {
  environment: LoadedEnvironment;
  /** Live facts are read for it. */
  live: boolean;
}

/** Collects every fact drift compares: source always, live Cloud Run facts unless `sourceOnly`. */
export async function collectDriftFacts(options: CollectDriftOptions): Promise<CollectedDrift> {
  const started = performance.now();
  const { project } = options;
  const projectDir = project.dir;
  const signal = options.signal ?? new AbortController().signal;
  const loaded = await loadEnvironmentsFor(project, options.sourceOnly === true);
  const selected = selectEnvironments(loaded.environments, options.environments, options.sourceOnly === true);
  const relevant = loaded.diagnostics.items.filter(
    (d) =>
      d.severity === "error" &&
      (!d.file || selected.some((s) => s.environment.file === d.file) || !options.environments),
  );
  if (relevant.length > 0) {
    throw new ConfigError(
      "config.invalid",
      `Can't check drift: environments/ has ${relevant.length} error(s).`,
      {
        hint: "Fix the errors listed above (`echogate check` shows them too).",
        details: { diagnostics: relevant },
      },
    );
  }
  const envSchema = await collectEnvSchema(project);
  const secretKeys = new Set(envSchema.secretKeys);
  const environments = await Promise.all(
    selected.map((s) => collectDeclared(project, s.environment, secretKeys, s.live)),
  );
  const layout = await project.detectedLayout();
  const source = await collectSourcePhase(project, layout, loaded.environments);
  if (loaded.environments.length === 0 && source.absent.length === 3) {
    // Nothing to compare: most likely the wrong directory (a CI step's working dir), not a clean project.
    throw new ConfigError(
      "config.no-environments",
      `Nothing to compare in ${projectDir}: no environments/, Dockerfile, dev script or Cloud Build file.`,
      { hint: "Run echogate from your project root or pass --cwd." },
    );
  }
  const facts: DriftFacts = {
    mode: options.sourceOnly ? "source" : "live",
    collectedAt: new Date().toISOString(),
    environments,
    targets: [],
    source,
    envSchema,
    ms: 0,
  };
  const live = selected.flatMap((s, i) => (s.live ? [{ ...s, declared: environments[i]! }] : []));
  if (!options.sourceOnly && live.length > 0) {
    // Loaded only for a live run: the probes bring Node's HTTP, TLS and crypto stacks with them.
    const { collectLiveTargets } = await import("./collect/live-phase.js");
    facts.targets = await collectLiveTargets(live, {
      platform: options.platform,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      secretKeys,
      signal,
    });
  }
  facts.ms = Math.round(performance.now() - started);
  return {
    facts,
    diagnostics: loaded.diagnostics.items.filter((d) => !relevant.includes(d)),
    environmentNames: environmentNamesOf(loaded),
  };
}

/** The source phase: entries, native addons, listen hosts, gate bypasses and shared backends. */
async function collectSourcePhase(
  project: Project,
  layout: ResolvedLayout,
  environments: LoadedEnvironments["environments"],
): Promise<DriftFacts["source"]> {
  const projectDir = project.dir;
  return {
    ...collectSourceDrift(projectDir, layout),
    native: await scanNativeDeps(projectDir, layout),
    listenHost: await scanListenHost(projectDir, layout),
    gateBypass: scanGateBypass(projectDir),
    sharedBackends: await collectSharedBackends(project, environments),
  };
}

/** `--source` still compares Dockerfile, dev script and cloudbuild.yaml in a repo without environments/. */
async function loadEnvironmentsFor(project: Project, sourceOnly: boolean): Promise<LoadedEnvironments> {
  try {
    return await project.environments();
  } catch (error) {
    if (!sourceOnly || !(error instanceof ConfigError) || error.code !== "config.no-environments")
      throw error;
    return { projectDir: project.dir, environments: [], diagnostics: new Diagnostics() };
  }
}

/** Named environments are read live (a `local` one too, when asked for); else see `DEPLOYED_KINDS`. */
function selectEnvironments(
  all: readonly LoadedEnvironment[],
  names: readonly string[] | undefined,
  sourceOnly: boolean,
): Selected[] {
  if (!names || names.length === 0) {
    // Columns read left to right the way an artifact travels: local, preview, staging, production.
    const order = (e: LoadedEnvironment) => ({ kind: e.config.kind, name: e.name });
    return [...all]
      .sort((a, b) => travelOrder(order(a), order(b)))
      .map((environment) => ({
        environment,
        live: !sourceOnly && DEPLOYED_KINDS.includes(environment.config.kind),
      }));
  }
  const unknown = names.filter((name) => !all.some((e) => e.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(
      "config.unknown-environment",
      `No environment named ${unknown.map((n) => `"${n}"`).join(", ")}.`,
      {
        hint: `Known environments: ${all.map((e) => e.name).join(", ") || "none"} (files in environments/).`,
      },
    );
  }
  return [...new Set(names)].map((name) => ({
    environment: all.find((e) => e.name === name)!,
    live: !sourceOnly,
  }));
}

/** Loaded environments plus those whose file has errors (the loader reports each by its file). */
function environmentNamesOf(loaded: LoadedEnvironments): string[] {
  const names = new Set(loaded.environments.map((e) => e.name));
  const pattern = new RegExp(`^${ENVIRONMENTS_DIR}/([^/]+)\\.ya?ml$`);
  for (const diagnostic of loaded.diagnostics.items) {
    const name = diagnostic.file ? pattern.exec(diagnostic.file.replaceAll("\\", "/"))?.[1] : undefined;
    if (name) names.add(name);
  }
  return [...names].sort();
}
