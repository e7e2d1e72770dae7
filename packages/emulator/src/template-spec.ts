import type { ContainerSpec, JsonObject, RevisionSpec, StringMap } from "./state-types.js";

// Reads a RevisionTemplate from request JSON and fills the defaults Cloud Run fills in, so that a
// template read back from the API and sent again compares equal and creates no new revision.

export const DEFAULT_TIMEOUT = "300s";
export const DEFAULT_CONCURRENCY = 80;
export const DEFAULT_MAX_INSTANCES = 100;
const DEFAULT_CONTAINER_PORT = 8080;

/**
 * "A TCP startup probe is automatically configured for a new Cloud Run service": tcpSocket on the
 * container port, timeoutSeconds 240, periodSeconds 240, failureThreshold 1 (Cloud Run docs,
 * Configure container health checks, "The default TCP startup probe").
 */
function defaultStartupProbe(port: number): JsonObject {
  return { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port } };
}

/** What Cloud Run fills in that depends on the project: the default runtime service account. */
export interface TemplateDefaults {
  serviceAccount: string;
}

/** Environment variables Cloud Run sets itself and refuses in a template. */
const RESERVED_ENV_NAMES = ["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"] as const;

interface ParsedTemplate {
  revision?: string;
  spec: RevisionSpec;
}

export function parseTemplate(raw: unknown, defaults: TemplateDefaults): ParsedTemplate {
  const t = isObject(raw) ? raw : {};
  const {
    revision,
    labels,
    annotations,
    containers,
    scaling,
    timeout,
    maxInstanceRequestConcurrency,
    serviceAccount,
    ...rest
  } = t;
  const spec: RevisionSpec = {
    ...dropEmpty(rest),
    serviceAccount:
      typeof serviceAccount === "string" && serviceAccount ? serviceAccount : defaults.serviceAccount,
    labels: stringMap(labels),
    annotations: stringMap(annotations),
    containers: Array.isArray(containers) ? containers.map(parseContainer) : [],
    scaling: parseScaling(scaling),
    timeout: typeof timeout === "string" && timeout ? timeout : DEFAULT_TIMEOUT,
    maxInstanceRequestConcurrency: positiveInt(maxInstanceRequestConcurrency) ?? DEFAULT_CONCURRENCY,
  };
  return typeof revision === "string" && revision ? { revision, spec } : { spec };
}

function parseContainer(raw: unknown): ContainerSpec {
  const c = isObject(raw) ? raw : {};
  const { image, command, args, env, ports, resources, ...rest } = c;
  const container: ContainerSpec = { ...dropEmpty(rest), image: typeof image === "string" ? image : "" };
  if (Array.isArray(command) && command.length > 0) container.command = command.map(String);
  if (Array.isArray(args) && args.length > 0) container.args = args.map(String);
  if (Array.isArray(env) && env.length > 0) {
    container.env = env.filter(isObject).map((e) => ({ ...dropEmpty(e), name: String(e.name ?? "") }));
  }
  container.ports =
    Array.isArray(ports) && ports.length > 0
      ? ports.filter(isObject).map((p) => dropEmpty(p) as { name?: string; containerPort?: number })
      : [{ name: "http1", containerPort: DEFAULT_CONTAINER_PORT }];
  const res = isObject(resources) ? dropEmpty(resources) : {};
  // ResourceRequirements.cpu_idle is "true by default. However, if ResourceRequirements is set,
  // the caller must explicitly set this field to true to preserve the default behavior."
  const cpuIdle = isObject(resources) ? {} : { cpuIdle: true };
  container.resources = {
    ...res,
    ...cpuIdle,
    limits: { cpu: "1000m", memory: "512Mi", ...stringMap(res.limits) },
  };
  const port = container.ports[0]?.containerPort;
  if (!isObject(c.startupProbe) && port) {
    container.startupProbe = defaultStartupProbe(port);
  }
  return container;
}

function parseScaling(raw: unknown): RevisionSpec["scaling"] {
  const s = isObject(raw) ? raw : {};
  const min = positiveInt(s.minInstanceCount);
  const max = positiveInt(s.maxInstanceCount) ?? DEFAULT_MAX_INSTANCES;
  return min ? { minInstanceCount: min, maxInstanceCount: max } : { maxInstanceCount: max };
}

/** Stable comparison of two specs: key order and empty values do not matter. */
export function sameSpec(a: RevisionSpec, b: RevisionSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonicalize(value[key]);
      if (!isEmpty(v)) out[key] = v;
    }
    return out;
  }
  return value;
}

/** proto3 JSON omits defaults (false, 0, "", []), so treat them as absent. */
function dropEmpty(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (!isEmpty(v)) out[k] = v;
  return out;
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0)
  );
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function stringMap(v: unknown): StringMap {
  if (!isObject(v)) return {};
  const out: StringMap = {};
  for (const [k, val] of Object.entries(v)) out[k] = String(val);
  return out;
}

function positiveInt(v: unknown): number | undefined {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

export interface TemplateViolation {
  field: string;
  description: string;
}

export function checkSpec(spec: RevisionSpec): TemplateViolation[] {
  const violations: TemplateViolation[] = [];
  if (spec.containers.length === 0) {
    violations.push({
      field: "template.containers",
      description: "A revision template needs at least one container.",
    });
  }
  spec.containers.forEach((c, i) => {
    if (!c.image) {
      violations.push({
        field: `template.containers[${i}].image`,
        description: `template.containers[${i}].image is required.`,
      });
    }
    const reserved = (c.env ?? [])
      .map((e) => e.name)
      .filter((n) => (RESERVED_ENV_NAMES as readonly string[]).includes(n));
    if (reserved.length > 0) {
      violations.push({
        field: `template.containers[${i}].env`,
        description: `The following reserved env names were provided: ${reserved.join(", ")}. These values are automatically set by the system.`,
      });
    }
  });
  return violations;
}
