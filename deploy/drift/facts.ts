import type { EnvironmentKind } from "../config/environment-schema.js";
import type { SourceLocation } from "../core/source-location.js";
import type { SharedBackend } from "../envfiles/shared-backend.js";
import type { EntryFact } from "../source/entry-fact.js";
import type { GateBypassReport } from "../source/scan-gate-bypass.js";
import type { ListenHostReport } from "../source/scan-listen-host.js";
import type { NativeDepsReport } from "../source/scan-native-deps.js";

// Everything drift knows, as plain data. Collectors fill it in; rules and reports only read it.

/** `sha256:<12 hex>` of a non-secret value, or `***` for a secret. Values themselves never appear. */
type ValueDigest = string;

export interface EnvKeyFact {
  key: string;
  /** Short hash of the value; `***` for secrets (schema `secret: true` or a Secret Manager reference). */
  value: ValueDigest;
  secret: boolean;
}

/** One environment as declared in environments/<name>.yaml (no cloud calls). */
export interface DeclaredEnvironment {
  name: string;
  kind: EnvironmentKind;
  /** environments/<name>.yaml relative to the project. */
  file: string;
  /**
   * Live facts were read for it. False with `--source`, and by default for kinds `local` (a developer's
   * machine) and `preview` (a template for per-branch services): CI never deploys their own service.
   */
  live: boolean;
  endpoint: "local" | "google";
  project: string;
  regions: string[];
  service: string;
  promotesFrom: string | undefined;
  maxInstances: number;
  /** `service.backplane`: a declared cross-instance broadcast. */
  backplane?: "redis" | "none" | undefined;
  /** Socket.IO long-polling may be used (smoke echo transports or an env `*TRANSPORTS` value). */
  pollingAllowed: boolean;
  pollingReason: string | undefined;
  /**
   * Where `service.<key>` is written in this environment's yaml, for a finding to point at. Found
   * when asked: only findings need it, and finding it needs the file's parsed positions.
   */
  locate(key: ServiceKey): SourceLocation;
  envFile: EnvFileFacts;
  hosting: HostingFacts | undefined;
}

/** Where the environment's web front end is published (environments/<name>.yaml `hosting`). */
interface HostingFacts {
  provider: "firebase" | "local";
  site: string;
  channel: string;
  /** Where it is served, when knowable without an API call (Firebase: a custom origin or the live channel). */
  origin: string | undefined;
}

const serviceKeys = [
  "envFile",
  "port",
  "cpu",
  "memory",
  "concurrency",
  "requestTimeoutS",
  "sessionAffinity",
  "minInstances",
  "maxInstances",
  "name",
] as const;
export type ServiceKey = (typeof serviceKeys)[number];

interface EnvFileFacts {
  file: string;
  /** False when the file is missing or unreadable; `keys` is then empty. */
  readable: boolean;
  /** False when parsing stopped early (an unterminated quote): the keys after it prove nothing missing. */
  complete?: boolean;
  keys: Array<{ key: string; line: number }>;
}

export interface HealthFact {
  status: "ok" | "unreachable" | "error";
  url: string;
  httpStatus?: number;
  version?: string;
  /** Why it is not ok, one sentence. */
  detail?: string;
  ms: number;
}

export interface GateFact {
  /** The serving revision's own gate record on the service (`echogate.dev/gates`). */
  result: "passed" | "failed" | "none";
  at?: string;
  version?: string;
  /** Other revisions with a share of the traffic (a split) whose gate did not pass. */
  ungatedShares?: { revision: string; percent: number; result: "failed" | "none" }[];
}

export interface ContainerSettings {
  port: number | null;
  concurrency: number | null;
  cpu: string | null;
  memory: string | null;
  timeoutSeconds: number | null;
  minInstances: number;
  maxInstances: number | null;
  sessionAffinity: boolean;
}

/** One live Cloud Run service: an environment in one region. */
export interface TargetFacts {
  /** Matrix column: the environment name, or `name/region` when it has several regions. */
  column: string;
  environment: string;
  region: string;
  service: string;
  status: "ok" | "missing" | "error";
  /** For `error`: what the API said. */
  detail?: string;
  uri?: string;
  servingRevision?: string;
  /** Percent the serving revision has; below 100 means a split (a rollout in progress). */
  servingPercent?: number;
  image?: string;
  digest?: string | null;
  /** Version recorded on the revision (echogate.dev/version annotation). */
  recordedVersion?: string;
  gitSha?: string;
  command?: string[];
  args?: string[];
  env?: EnvKeyFact[];
  settings?: ContainerSettings;
  gate?: GateFact;
  /** Digests this service's gate passed, newest last (for promotesFrom checks). */
  passedDigests?: string[];
  /** An env key whose live value enables Socket.IO long-polling (e.g. SOCKETIO_TRANSPORTS=polling,websocket). */
  pollingEnv?: string;
  health?: HealthFact;
  web?: WebFact;
}

export interface WebFact {
  /** The runtime config's URL (`<channel URL>/echogate.json`), or `sites/<site>/channels/<channel>` when unknown. */
  url: string;
  /** Anything but `ok` leaves the server URL unknown (a warning, never a guess). */
  status: "ok" | "unreachable" | "error";
  /** The server URL the web runtime config names. */
  serverUrl?: string;
  detail?: string;
}

export interface SourceDriftFacts {
  dockerfile: EntryFact;
  devScript: EntryFact;
  cloudbuild: EntryFact;
  /** layout.serverEntry from environments/echogate.yaml, when set. */
  configured?: EntryFact;
  /**
   * Sources the project doesn't have: no file, or a package.json without a `dev` script (no
   * cloudbuild.yaml is a choice, not drift).
   */
  absent: Array<"dockerfile" | "devScript" | "cloudbuild">;
  /** Sources whose file or script the user set in environments/echogate.yaml (layout.dockerfile…). */
  named?: Array<"dockerfile" | "devScript" | "cloudbuild">;
  /** Native addons in the production dependency tree and the Dockerfile's preflight findings. */
  native?: NativeDepsReport;
  /** Loopback binds in the server entries and the files they import (Cloud Run needs 0.0.0.0). */
  listenHost?: ListenHostReport;
  /** Deploys and traffic moves in CI files and scripts that skip the gate (`gcloud run deploy`). */
  gateBypass?: GateBypassReport;
  /** Env-file variables pointing two environments at one private backend (credentials never kept). */
  sharedBackends?: SharedBackend[];
}

export interface EnvSchemaFacts {
  file: string | undefined;
  secretKeys: string[];
  /** Keys allowed to be absent in some environments. */
  environmentSpecificKeys: string[];
}

export interface DriftFacts {
  mode: "live" | "source";
  collectedAt: string;
  environments: DeclaredEnvironment[];
  /** Empty with `--source`. */
  targets: TargetFacts[];
  source: SourceDriftFacts;
  envSchema: EnvSchemaFacts;
  /** How long collection took, for the report footer and the bench. */
  ms: number;
}
