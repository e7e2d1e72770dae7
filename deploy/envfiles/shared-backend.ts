import { isSecretReference } from "./secret-reference.js";

/** One environment's env file, as the rule reads it. */
export interface BackendEnvironment {
  name: string;
  /** The env file, relative to the project. */
  file: string;
  entries: ReadonlyArray<{ key: string; value: string; line: number }>;
}

/** env.schema.yaml `shared:` of a variable: the environments allowed to use one backend, and why. */
export interface SharedDeclaration {
  environments: readonly string[];
  reason: string;
}

export interface SharedBackend {
  key: string;
  /** `redis://10.0.0.5:6379`: scheme, host and port only; never credentials, path or query. */
  backend: string;
  /** Every environment using it, with the file and line that says so. */
  uses: Array<{ environment: string; file: string; line: number }>;
  /** Set when env.schema.yaml declares every one of these environments shared, with its reason. */
  declared?: string;
}

const DEFAULT_PORTS: Record<string, number> = {
  redis: 6379,
  postgres: 5432,
  mysql: 3306,
  mongodb: 27017,
  amqp: 5672,
  nats: 4222,
};
/** Connection schemes of servers that are never public: what one environment writes, another reads. */
const FAMILIES: Record<string, string> = {
  "redis:": "redis",
  "rediss:": "redis",
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "mysql:": "mysql",
  "mongodb:": "mongodb",
  "mongodb+srv:": "mongodb",
  "amqp:": "amqp",
  "amqps:": "amqp",
  "nats:": "nats",
};

/**
 * The backend a value connects to, as `family://host:port` (plus the database for SQL and Mongo:
 * two databases on one server are separate, but Redis pub/sub spans every database number), or
 * undefined when it is not a private backend: a connection URL of the schemes above, or
 * `host:port` of a private or loopback address.
 */
export function backendOf(value: string): { id: string; shown: string } | undefined {
  const trimmed = value.trim();
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme && FAMILIES[scheme]) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    const family = FAMILIES[scheme]!;
    // A multi-host URL (mongodb://a,b) doesn't parse its hostname cleanly: compare it whole.
    const host = url.hostname.toLowerCase();
    if (host === "") return undefined;
    // A DNS SRV name (mongodb+srv) has no port: the records give them.
    const port = url.port || (scheme === "mongodb+srv:" ? "" : String(DEFAULT_PORTS[family] ?? ""));
    const database = family === "redis" ? "" : url.pathname.replace(/\/+$/, "");
    const shown = `${scheme}//${host}${port ? `:${port}` : ""}`;
    return { id: `${family}://${host}:${port}${database}`, shown: `${shown}${database}` };
  }
  const hostPort = /^(\[[0-9a-f:]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(trimmed);
  if (hostPort && isPrivateHost(hostPort[1]!.toLowerCase())) {
    const shown = `${hostPort[1]!.toLowerCase()}:${hostPort[2]}`;
    return { id: `tcp://${shown}`, shown };
  }
  return undefined;
}

function isPrivateHost(host: string): boolean {
  if (host === "localhost" || host === "[::1]") return true;
  if (/^\[f[cd][0-9a-f]{2}:/.test(host)) return true;
  const octets = host.split(".").map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet > 255)) return false;
  const [a, b] = octets as [number, number, number, number];
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * Pure: every variable whose value points two or more environments at one private backend (a
 * message sent in staging reaching a production client). Secret Manager references can't be
 * compared and are skipped. `declared` is set when `shared:` covers every environment using it.
 */
export function findSharedBackends(
  environments: readonly BackendEnvironment[],
  declarations: ReadonlyMap<string, SharedDeclaration>,
): SharedBackend[] {
  const byBackend = new Map<string, SharedBackend>();
  for (const environment of environments) {
    for (const entry of environment.entries) {
      if (isSecretReference(entry.value)) continue;
      const backend = backendOf(entry.value);
      if (!backend) continue;
      const id = `${entry.key}\u0000${backend.id}`;
      const found = byBackend.get(id) ?? { key: entry.key, backend: backend.shown, uses: [] };
      found.uses.push({ environment: environment.name, file: environment.file, line: entry.line });
      byBackend.set(id, found);
    }
  }
  return [...byBackend.values()]
    .filter((shared) => new Set(shared.uses.map((use) => use.environment)).size > 1)
    .map((shared) => {
      const declaration = declarations.get(shared.key);
      const covered =
        declaration !== undefined &&
        shared.uses.every((use) => declaration.environments.includes(use.environment));
      return covered ? { ...shared, declared: declaration.reason } : shared;
    });
}
