import type { EnvironmentKind } from "../config/environment-schema.js";

/** A `gcloud run deploy NAME` found in a CI file, script, package.json script or doc. */
interface DeployedService {
  name: string;
  region: string | undefined;
  project: string | undefined;
  /** `deployment/cloudbuild.production.yaml:12`. */
  where: string;
  /** The environment its name, flags or file name points at, if any. */
  environment: "staging" | "production" | undefined;
}

export interface ExistingNames {
  /** `.firebaserc` project aliases (default, staging, production…). */
  firebaseProjects: Record<string, string>;
  /** Hosting sites per project id, from `.firebaserc` targets. */
  hostingSites: Record<string, string[]>;
  /** `firebase.json` hosting public directory. */
  hostingPublicDir: string | undefined;
  services: DeployedService[];
}

/** What one environment keeps of the existing names, with where each came from. */
interface EnvironmentNames {
  project: string | undefined;
  projectFrom: string | undefined;
  service: string | undefined;
  serviceFrom: string | undefined;
  region: string | undefined;
  hostingSite: string | undefined;
}

const STAGING = /(^|[^a-z])(staging|stage|stg)([^a-z]|$)/i;
const PRODUCTION = /(^|[^a-z])(production|prod|live)([^a-z]|$)/i;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Words of a shell line or a YAML args list, quotes and list punctuation removed, with their line numbers. */
function words(text: string): Array<{ word: string; line: number }> {
  const result: Array<{ word: string; line: number }> = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, "");
    for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|([^\s,[\]"']+)/g)) {
      const word = match[1] ?? match[2] ?? match[3]!;
      if (word === "-" || word === "\\" || word.endsWith(":")) continue;
      result.push({ word, line: index + 1 });
    }
  });
  return result;
}

function flagValue(list: Array<{ word: string }>, start: number, flag: string): string | undefined {
  for (let i = start; i < Math.min(list.length, start + 40); i++) {
    const word = list[i]!.word;
    if (word === "deploy" && list[i - 1]?.word === "run" && i > start) break;
    if (word === flag) return list[i + 1]?.word;
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
  }
  return undefined;
}

const concrete = (value: string | undefined) =>
  value !== undefined && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(value) ? value : undefined;

/** Pure: every `gcloud run deploy NAME [--region R] [--project P]` in one file. */
export function deployedServices(file: string, text: string): DeployedService[] {
  const list = words(text);
  const services: DeployedService[] = [];
  list.forEach(({ word }, i) => {
    if (word !== "deploy" || list[i - 1]?.word !== "run") return;
    const name = concrete(list[i + 1]?.word);
    if (!name) return;
    const project = concrete(flagValue(list, i, "--project"));
    const context = `${name} ${file} ${project ?? ""}`;
    services.push({
      name,
      region: concrete(flagValue(list, i, "--region")),
      project,
      where: `${file}:${list[i - 1]!.line}`,
      environment: STAGING.test(context) ? "staging" : PRODUCTION.test(context) ? "production" : undefined,
    });
  });
  return services;
}

/** Pure: the names the project already uses, from `.firebaserc`, `firebase.json` and deploy commands. */
export function existingNames(texts: ReadonlyMap<string, string>): ExistingNames {
  const rc = parseJson(texts.get(".firebaserc"));
  const firebaseProjects: Record<string, string> = {};
  const hostingSites: Record<string, string[]> = {};
  if (isRecord(rc)) {
    if (isRecord(rc.projects))
      for (const [alias, id] of Object.entries(rc.projects))
        if (typeof id === "string") firebaseProjects[alias] = id;
    if (isRecord(rc.targets))
      for (const [project, targets] of Object.entries(rc.targets)) {
        if (!isRecord(targets) || !isRecord(targets.hosting)) continue;
        hostingSites[project] = Object.values(targets.hosting).flatMap((sites) =>
          Array.isArray(sites) ? sites.filter((site): site is string => typeof site === "string") : [],
        );
      }
  }
  const firebase = parseJson(texts.get("firebase.json"));
  const hosting = isRecord(firebase)
    ? Array.isArray(firebase.hosting)
      ? firebase.hosting.find(isRecord)
      : firebase.hosting
    : undefined;
  const services = [...texts]
    .filter(([file]) =>
      /(^|\/)(cloudbuild[\w.-]*\.ya?ml|[\w.-]+\.sh|package\.json|[\w.-]+\.md|Makefile)$/i.test(file),
    )
    .flatMap(([file, text]) =>
      file.endsWith("package.json") ? scriptServices(file, text) : deployedServices(file, text),
    );
  return {
    firebaseProjects,
    hostingSites,
    hostingPublicDir: isRecord(hosting) && typeof hosting.public === "string" ? hosting.public : undefined,
    services,
  };
}

function scriptServices(file: string, text: string): DeployedService[] {
  const pkg = parseJson(text);
  if (!isRecord(pkg) || !isRecord(pkg.scripts)) return [];
  return Object.entries(pkg.scripts).flatMap(([name, script]) =>
    typeof script === "string"
      ? deployedServices(`${file} script "${name}"`, script).map((service) => ({
          ...service,
          where: `${file} script "${name}"`,
          environment:
            service.environment ??
            (STAGING.test(name) ? "staging" : PRODUCTION.test(name) ? "production" : undefined),
        }))
      : [],
  );
}

const ALIASES: Record<EnvironmentKind, string[]> = {
  production: ["production", "prod", "live", "default"],
  staging: ["staging", "stage", "stg", "default"],
  preview: ["preview", "dev", "development", "staging", "default"],
  local: ["default", "dev", "development", "local"],
};

/**
 * Pure: what an environment keeps. A deploy that names no environment is the live service (production);
 * staging then gets `<name>-staging` unless a staging deploy exists.
 */
export function namesFor(kind: EnvironmentKind, existing: ExistingNames): EnvironmentNames {
  const ownService =
    existing.services.find((service) => service.environment === kind) ??
    (kind === "production"
      ? existing.services.find((service) => service.environment === undefined)
      : undefined);
  const live =
    existing.services.find((service) => service.environment === "production") ??
    existing.services.find((service) => service.environment === undefined);
  const alias = ALIASES[kind].find((name) => existing.firebaseProjects[name] !== undefined);
  const project = alias ? existing.firebaseProjects[alias] : (ownService?.project ?? live?.project);
  const projectFrom = alias
    ? `.firebaserc projects.${alias}`
    : ownService?.project
      ? ownService.where
      : live?.project
        ? live.where
        : undefined;
  const liveBase = live?.name.replace(/-(prod|production|live)$/, "");
  const service = ownService?.name ?? (liveBase ? `${liveBase}-${kind}` : undefined);
  return {
    project,
    projectFrom,
    service,
    serviceFrom: ownService ? ownService.where : live ? `${live.where} (-${kind} added)` : undefined,
    region: ownService?.region ?? live?.region ?? existing.services.find((s) => s.region)?.region,
    hostingSite: project ? existing.hostingSites[project]?.[0] : undefined,
  };
}
