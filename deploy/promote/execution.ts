import { processIsRunning } from "@echogate/common/process-alive";
import { messageOf } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { type GateRecord, readGateRecords, withGateRecord, writeGateRecords } from "../model/gate-records.js";
import type { LockOwner } from "../model/lock.js";
import type { CloudRunAdapter, LoadedService } from "../platform/cloudrun/adapter.js";
import { applyLock, LockHold } from "../platform/cloudrun/lock-io.js";
import {
  type IService,
  type ServiceSnapshot,
  type TrafficTarget,
  toWireTraffic,
} from "../platform/cloudrun/service-model.js";
import type { FailureStage } from "./failure-policy.js";
import type { ExecutablePlan, PromotionPlan } from "./plan-types.js";
import type { PromotionOutcome } from "./promotion-outcome.js";
import type { RegionBarrier } from "./region-barrier.js";
import { applyServiceMetadata } from "./service-metadata.js";
import type { GateSmoke } from "./smoke-types.js";

export interface ExecuteOptions {
  adapter: CloudRunAdapter;
  smoke: GateSmoke;
  output: Output;
  signal: AbortSignal;
  owner: LockOwner;
  /** The lock the caller took before planning (withPromotionLock); without it the first write takes it. */
  lock?: LockHold;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
  /** One region of a multi-region promotion: the barrier its `await-regions` steps wait at. */
  lockstep?: { region: string; barrier: RegionBarrier };
}

/** The gate did not pass (or the candidate did not start): the plan's failure policy applies. */
export class GateFailure extends Error {
  constructor(
    readonly stage: "start" | "candidate" | "service",
    message: string,
  ) {
    super(message);
  }
}

export class Interrupted extends Error {
  constructor() {
    super("Interrupted");
  }
}

/** One plan being applied: what it has done so far, and the primitives every step uses. */
export class Execution {
  readonly outcome: PromotionOutcome;
  /** Ours from the caller (taken before planning), the first write, or the creating one. */
  lock: LockHold;
  readonly now: () => Date;
  readonly isAlive: (pid: number) => boolean;
  /** The service as the last write or read left it: the next write starts from it (and reads first only if its etag went stale). */
  known: LoadedService | undefined;
  /** Index of the action being applied: a failure there is looked up in the plan's recovery. */
  at = 0;
  createdService = false;
  /** Traffic has moved onto the candidate (its gate passed on the tag URL). */
  shifted = false;

  /** The service's name and URL, and the revision (with its build) whose gate the plan is about. */
  readonly subject: {
    service: string;
    uri: string | undefined;
    revision: string;
    version: string;
    digest: string;
  };

  constructor(
    readonly plan: ExecutablePlan,
    readonly options: ExecuteOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.isAlive = options.isAlive ?? processIsRunning;
    this.subject =
      plan.kind === "promotion"
        ? {
            service: plan.service.name,
            uri: plan.service.uri,
            revision: plan.candidate.revision,
            version: plan.artifact.version,
            digest: plan.artifact.digest,
          }
        : {
            service: plan.service,
            uri: plan.uri,
            revision: plan.target.revision,
            version: plan.target.version,
            digest: plan.target.digest,
          };
    this.lock = options.lock ?? new LockHold(options.adapter, this.subject.service, options.owner, false);
    this.known = this.lock.written;
    this.outcome = {
      ok: false,
      result: "refused",
      mode: plan.kind === "promotion" ? plan.mode : "rollback",
      environment: plan.environment,
      service: this.subject.service,
      revision: this.subject.revision,
      version: this.subject.version,
      digest: this.subject.digest,
      url: this.subject.uri,
      traffic: plan.current.traffic,
      smoke: [],
      steps: [],
    };
  }

  /** The plan as a promotion: the actions only a promotion has (creating the candidate) need its template. */
  get promotion(): PromotionPlan {
    if (this.plan.kind !== "promotion")
      throw new Error(`A ${this.plan.kind} plan has no candidate to create.`);
    return this.plan;
  }

  /** The service as the last write or read left it (tag URLs for the smoke, the outcome's traffic). */
  get latest(): ServiceSnapshot | undefined {
    return this.known?.snapshot;
  }

  get adapter(): CloudRunAdapter {
    return this.options.adapter;
  }

  get name(): string {
    return this.subject.service;
  }

  /** The revision whose gate result this run records: the candidate (a rollback records none). */
  get candidate(): string {
    return this.subject.revision;
  }

  /** The plan's failure stage for the action being applied. */
  get stage(): FailureStage {
    const step = this.at + 1;
    return this.plan.recovery.find((s) => s.from <= step && step <= s.to) ?? this.plan.recovery.at(-1)!;
  }

  throwIfInterrupted(): void {
    if (this.options.signal.aborted) throw new Interrupted();
  }

  /** A visible, timed step, recorded in the outcome. */
  async step<T>(title: string, work: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
    const started = performance.now();
    const record = (ok: boolean, detail: string | undefined) => {
      const ms = Math.round(performance.now() - started);
      this.outcome.steps.push({ name: title, ms, ok, ...(detail ? { detail } : {}) });
      return detail;
    };
    return this.options.output.run(title, work, {
      data: { environment: this.plan.environment },
      done: (value) => record(true, describe?.(value)),
      failed: (error) => record(false, messageOf(error)) ?? "",
    });
  }

  /** The body that creates the service carries our lock: nobody else can have it yet. */
  lockNewService(body: IService): void {
    applyLock(body, undefined, this.options.owner, this.now(), this.isAlive, "keep");
    this.createdService = true;
    this.lock.wrote("keep");
  }

  /** Read-modify-write that also proves we still hold the lock and pushes its expiry out (or drops it). */
  async write(
    change: (raw: IService, snapshot: ServiceSnapshot) => void,
    lock: "keep" | "release" = "keep",
  ): Promise<LoadedService> {
    this.options.output.progress(`waiting for Cloud Run to update ${this.name}`);
    const loaded = await this.adapter.mutateService(
      this.name,
      (raw, snapshot) => {
        if (this.plan.kind === "promotion") applyServiceMetadata(raw, this.plan.service.metadata);
        change(raw, snapshot);
        applyLock(raw, snapshot, this.options.owner, this.now(), this.isAlive, lock);
        return raw;
      },
      this.known,
    );
    this.known = loaded;
    this.lock.wrote(lock);
    return loaded;
  }

  /** The candidate's gate result, written into the same update as the change it goes with. */
  recordGate(
    raw: IService,
    snapshot: ServiceSnapshot,
    gate: Omit<GateRecord, "at" | "version" | "digest" | "revision">,
  ): void {
    const scenarios = this.outcome.smoke.at(-1)?.scenarios ?? [];
    const records = withGateRecord(readGateRecords(snapshot.annotations), {
      revision: this.candidate,
      version: this.subject.version,
      digest: this.subject.digest,
      at: this.now().toISOString(),
      ...gate,
      ...(scenarios.length > 0 ? { scenarios: scenarios.map(({ name, ok }) => ({ name, ok })) } : {}),
    });
    raw.annotations = { ...(raw.annotations ?? {}) };
    writeGateRecords(raw.annotations, records);
  }

  /** A rollback leaves `revision`: its record says so, and the next rollback skips it. */
  recordRolledBackFrom(raw: IService, snapshot: ServiceSnapshot, revision: string): void {
    const records = readGateRecords(snapshot.annotations);
    const from = records.find((record) => record.revision === revision);
    raw.annotations = { ...(raw.annotations ?? {}) };
    if (!from) return;
    writeGateRecords(
      raw.annotations,
      withGateRecord(records, { ...from, rolledBackAt: this.now().toISOString() }),
    );
  }
}

export function setTraffic(raw: IService, traffic: readonly TrafficTarget[]): void {
  raw.traffic = toWireTraffic(traffic);
}
