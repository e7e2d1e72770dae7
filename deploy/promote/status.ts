import { type BrokenEnvironment, brokenEnvironments, brokenSummary } from "../config/environment-errors.js";
import type { DeclaredEnvironment } from "../config/load-environments.js";
import { isEchogateError } from "../core/errors.js";
import { mapLimit } from "../core/map-limit.js";
import { readWebPairs, type WebPair } from "../hosting/web-pairs.js";
import type { WebStatusRow } from "../hosting/web-status.js";
import { type GateRecord, gateOf, readGateRecords } from "../model/gate-records.js";
import { type PromotionLock, readLock } from "../model/lock.js";
import type { CloudRunAdapter } from "../platform/cloudrun/adapter.js";
import { instanceCounts } from "../platform/cloudrun/emulator-instances.js";
import type { InvokerAccess } from "../platform/cloudrun/invoker-access.js";
import type { ServiceSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { currentSplit, type SplitEntry } from "./traffic-analysis.js";

export const STATUS_CONCURRENCY = 16;
/** The error code of a row whose environment file has config errors. */
export const CONFIG_INVALID = "config.invalid";

interface ServiceStatus {
  service: string;
  exists: boolean;
  url: string | null;
  /** The revision with the largest share. */
  revision: string | null;
  version: string | null;
  digest: string | null;
  split: SplitEntry[];
  traffic: TrafficTarget[];
  gate: Pick<GateRecord, "result" | "at" | "stage" | "rolledBackAt" | "scenarios"> | null;
  /** Since the serving revision got its gate result (or was created). */
  since: string | null;
  ageS: number | null;
  lock: PromotionLock | null;
  ready: string | null;
  /** `private`: no public invoker (a first deploy whose gate has not passed); null when unknown. */
  access: InvokerAccess | null;
  /** Web releases recorded with server revisions (newest last). */
  webPairs?: WebPair[];
}

export interface EnvironmentStatus extends ServiceStatus {
  environment: string;
  kind: string;
  /** Null when the environment's file is broken (see `error`). */
  endpoint: "local" | "google" | null;
  region: string | null;
  /** Running instances per revision of the split (short name); null when the platform doesn't say. */
  instances: Record<string, number> | null;
  error: { code: string; message: string; hint?: string } | null;
  /** The live web release and whether it was pair-gated with the serving revision (null: no hosting). */
  web?: WebStatusRow | null;
}

/** One service's facts, in at most three API calls (the revision only when no gate record names it). */
async function statusOfService(
  adapter: CloudRunAdapter,
  service: string,
  now = new Date(),
): Promise<ServiceStatus> {
  const loaded = await adapter.getService(service);
  return loaded ? statusFromSnapshot(adapter, loaded.snapshot, now) : emptyStatus(service);
}

/** Many services of one location: one list call, then revisions only where no gate record says enough. */
export async function statusOfServices(
  adapter: CloudRunAdapter,
  services: readonly string[],
  options: { now?: Date; concurrency?: number } = {},
): Promise<ServiceStatus[]> {
  const byName = new Map((await adapter.listServices()).map((s) => [s.name, s]));
  const now = options.now ?? new Date();
  return mapLimit(services, options.concurrency ?? STATUS_CONCURRENCY, async (name) => {
    const snapshot = byName.get(name);
    return snapshot ? statusFromSnapshot(adapter, snapshot, now) : emptyStatus(name);
  });
}

async function statusFromSnapshot(
  adapter: CloudRunAdapter,
  snapshot: ServiceSnapshot,
  now: Date,
): Promise<ServiceStatus> {
  const service = snapshot.name;
  const records = readGateRecords(snapshot.annotations);
  const split = currentSplit(snapshot, records);
  const revision = split[0]?.revision ?? null;
  const gate = gateOf(records, revision ?? undefined);
  let version = gate?.version ?? null;
  let digest = gate?.digest ?? null;
  let since = gate?.at ?? null;
  // Read alongside; a caller without IAM read permission still gets the rest.
  const access = adapter.invokerAccess(service).catch(() => null);
  if (revision && !gate) {
    const facts = await adapter.getRevision(service, revision);
    version = facts?.annotations["echogate.dev/version"] ?? null;
    digest = facts?.annotations["echogate.dev/digest"] ?? (facts?.image?.split("@")[1] || null);
    since = facts?.createTime ?? null;
  }
  return {
    service,
    exists: true,
    url: snapshot.uri ?? null,
    revision,
    version,
    digest,
    split,
    traffic: snapshot.traffic,
    gate: gate
      ? {
          result: gate.result,
          at: gate.at,
          ...(gate.stage ? { stage: gate.stage } : {}),
          ...(gate.rolledBackAt ? { rolledBackAt: gate.rolledBackAt } : {}),
          ...(gate.scenarios ? { scenarios: gate.scenarios } : {}),
        }
      : null,
    since,
    ageS: since ? Math.max(0, Math.round((now.getTime() - Date.parse(since)) / 1000)) : null,
    lock: readLock(snapshot.annotations) ?? null,
    ready: snapshot.ready,
    access: await access,
    webPairs: readWebPairs(snapshot.annotations),
  };
}

/** Every environment (or the named ones) concurrently; one failing environment does not hide the others. */
export async function collectStatus(options: {
  project: Project;
  platform: Platform;
  only?: readonly string[];
  concurrency?: number;
}): Promise<EnvironmentStatus[]> {
  const { platform } = options;
  const loaded = await options.project.declaredEnvironments();
  const selected = (name: string) => !options.only?.length || options.only.includes(name);
  // A broken file is shown as broken, never left out: the platform is not asked about it.
  const broken = brokenEnvironments(loaded).filter((b) => selected(b.name));
  const brokenNames = new Set(broken.map((b) => b.name));
  const environments = loaded.environments.filter((e) => selected(e.name) && !brokenNames.has(e.name));
  // Running instances are read once per endpoint (the emulator reports them; Cloud Run does not).
  const counts = new Map<string, Promise<Map<string, number> | null>>();
  const countsFor = (environment: DeclaredEnvironment) => {
    const { endpoint } = environment.config.service;
    let count = counts.get(endpoint);
    if (!count) {
      count = platform.cloudRunTarget(endpoint).then(instanceCounts);
      counts.set(endpoint, count);
    }
    return count;
  };
  // One row per environment and region (several only for multi-region environments).
  const rows = environments.flatMap((environment) =>
    environment.config.service.regions.map((region) => ({ environment, region })),
  );
  const now = new Date();
  const statusRows = await mapLimit(
    rows,
    options.concurrency ?? STATUS_CONCURRENCY,
    async ({ environment, region }) => {
      const base = {
        environment: environment.name,
        kind: environment.config.kind,
        endpoint: environment.config.service.endpoint,
        region,
        instances: null,
      };
      try {
        const status = await statusOfService(
          await platform.cloudRun(environment.config.service, region),
          environment.config.service.name,
          now,
        );
        const running = await countsFor(environment);
        const instances = running
          ? Object.fromEntries(
              status.split.flatMap((entry) =>
                entry.revision
                  ? [
                      [
                        entry.revision,
                        running.get(
                          `projects/${environment.config.service.project}/locations/${region}/services/${status.service}/revisions/${entry.revision}`,
                        ) ?? 0,
                      ],
                    ]
                  : [],
              ),
            )
          : null;
        return { ...base, ...status, instances, error: null };
      } catch (error) {
        const failure = isEchogateError(error)
          ? { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }
          : { code: "internal", message: String(error) };
        return { ...base, ...emptyStatus(environment.config.service.name), error: failure };
      }
    },
  );
  return [...statusRows, ...broken.map(brokenStatus)].sort((a, b) =>
    a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : 0,
  );
}

function brokenStatus(broken: BrokenEnvironment): EnvironmentStatus {
  return {
    environment: broken.name,
    kind: "unknown",
    endpoint: null,
    region: null,
    instances: null,
    ...emptyStatus(""),
    error: {
      code: CONFIG_INVALID,
      message: brokenSummary(broken),
      hint: "Run `echogate check` to see every problem; nothing was asked of the platform.",
    },
  };
}

function emptyStatus(service: string): ServiceStatus {
  return {
    service,
    exists: false,
    url: null,
    revision: null,
    version: null,
    digest: null,
    split: [],
    traffic: [],
    gate: null,
    since: null,
    ageS: null,
    lock: null,
    ready: null,
    access: null,
    webPairs: [],
  };
}
