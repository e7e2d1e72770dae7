import { CheckFailedError, PlatformError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { processIsRunning } from "../core/process-alive.js";
import { type GateRecord, readGateRecords, withGateRecord, writeGateRecords } from "../model/gate-records.js";
import type { LockOwner } from "../model/lock.js";
import type { CloudRunAdapter, LoadedService } from "../platform/cloudrun/adapter.js";
import { acquireLock, applyLock, releaseLock } from "../platform/cloudrun/lock-io.js";
import { toRevisionTemplate } from "../platform/cloudrun/revision-template.js";
import {
  type IService,
  type ServiceSnapshot,
  type TrafficTarget,
  toWireTraffic,
} from "../platform/cloudrun/service-model.js";
import { smokeUrls } from "./canary-peers.js";
import type { PlanAction, PlannedSmoke, PromotionPlan } from "./plan-types.js";
import { applyServiceMetadata } from "./service-metadata.js";
import type { GateAuth, GateSmoke, PromotionSmoke } from "./smoke-types.js";

export interface ExecuteOptions {
  adapter: CloudRunAdapter;
  smoke: GateSmoke;
  output: Output;
  signal: AbortSignal;
  owner: LockOwner;
  /** The lock was taken by the caller before planning (the usual case for an existing service). */
  lockHeld?: boolean;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
}

/** `private`: the gate failed with no gate-passed revision to fall back to; nobody outside can reach the service. */
export type PromotionResult =
  | "promoted"
  | "already-serving"
  | "refused"
  | "rolled-back"
  | "private"
  | "interrupted";

export interface StepRecord {
  name: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

export interface PromotionOutcome {
  ok: boolean;
  result: PromotionResult;
  mode: "deploy" | "promote";
  environment: string;
  service: string;
  revision: string;
  version: string;
  digest: string;
  url: string | undefined;
  failure?: { stage: "start" | "candidate" | "service"; message: string };
  traffic: TrafficTarget[];
  smoke: PromotionSmoke[];
  steps: StepRecord[];
}

class GateFailure extends Error {
  constructor(
    readonly stage: "start" | "candidate" | "service",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Applies a plan step by step. Traffic moves only after the candidate passed on its tag URL, and
 * the gate record is written in the same update that moves it. On a failure before the shift the
 * traffic is left as it was (the candidate tag removed); after the shift it goes back.
 */
export async function executePlan(plan: PromotionPlan, options: ExecuteOptions): Promise<PromotionOutcome> {
  const { adapter, output, signal } = options;
  const now = options.now ?? (() => new Date());
  const isAlive = options.isAlive ?? processIsRunning;
  const name = plan.service.name;
  const candidate = plan.candidate.revision;
  const outcome: PromotionOutcome = {
    ok: false,
    result: "refused",
    mode: plan.mode,
    environment: plan.environment,
    service: name,
    revision: candidate,
    version: plan.artifact.version,
    digest: plan.artifact.digest,
    url: plan.service.uri,
    traffic: plan.current.traffic,
    smoke: [],
    steps: [],
  };
  let lockHeld = options.lockHeld ?? false;
  let createdService = false;
  let shifted = false;
  let latest: ServiceSnapshot | undefined;

  const step = async <T>(
    title: string,
    work: () => Promise<T>,
    describe?: (value: T) => string,
  ): Promise<T> => {
    const handle = output.step(title, { environment: plan.environment });
    const started = performance.now();
    try {
      const value = await work();
      const detail = describe?.(value);
      handle.done(detail);
      outcome.steps.push({
        name: title,
        ms: Math.round(performance.now() - started),
        ok: true,
        ...(detail ? { detail } : {}),
      });
      return value;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      handle.fail(detail);
      outcome.steps.push({ name: title, ms: Math.round(performance.now() - started), ok: false, detail });
      throw error;
    }
  };

  /** Read-modify-write that also proves we still hold the lock and pushes its expiry out. */
  const write = async (
    change: (raw: IService, snapshot: ServiceSnapshot) => void,
    lock: "keep" | "release" = "keep",
  ) => {
    const loaded = await adapter.mutateService(name, (raw, snapshot) => {
      applyServiceMetadata(raw, plan.service.metadata);
      change(raw, snapshot);
      applyLock(raw, snapshot, options.owner, now(), isAlive, lock);
      return raw;
    });
    latest = loaded.snapshot;
    if (lock === "release") lockHeld = false;
    return loaded;
  };

  const record = (
    raw: IService,
    snapshot: ServiceSnapshot,
    gate: Omit<GateRecord, "at" | "version" | "digest" | "revision">,
  ) => {
    const records = withGateRecord(readGateRecords(snapshot.annotations), {
      revision: candidate,
      version: plan.artifact.version,
      digest: plan.artifact.digest,
      at: now().toISOString(),
      ...gate,
    });
    raw.annotations = { ...(raw.annotations ?? {}) };
    writeGateRecords(raw.annotations, records);
  };

  const setTraffic = (raw: IService, traffic: readonly TrafficTarget[]) => {
    raw.traffic = toWireTraffic(traffic);
  };

  const runSmoke = async (check: PlannedSmoke): Promise<void> => {
    const resolved = smokeUrls(check, latest, plan.candidate.tag, plan.service.uri);
    const url = resolved.url;
    if (!url) {
      throw new PlatformError(
        "promote.no-url",
        `Failed to find the ${check.target === "candidate" ? "candidate tag" : "service"} URL of ${name}.`,
        {
          hint: "Run `echogate status` to see the service; the platform did not report a URL for it.",
        },
      );
    }
    const label =
      check.target === "candidate" ? `Smoke candidate ${candidate} at ${url}` : `Smoke service at ${url}`;
    await step(
      label,
      async () => {
        let result: PromotionSmoke;
        try {
          const auth = check.identityToken ? await identityFor(url) : undefined;
          result = await options.smoke(url, resolved.check, signal, auth);
        } catch (error) {
          if (signal.aborted) throw new Interrupted();
          throw error;
        }
        outcome.smoke.push(result);
        if (signal.aborted) throw new Interrupted();
        if (!result.ok) {
          const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail ?? "failed"}`);
          throw new GateFailure(
            check.target,
            `Smoke failed on ${check.target === "candidate" ? "the candidate tag URL" : "the service URL"}: ${failed.join("; ") || "no passing checks"}`,
          );
        }
        return result;
      },
      (r) => `${r.checks.length} checks passed`,
    );
  };

  const identityFor = async (url: string): Promise<GateAuth> => ({
    authorization: `Bearer ${await adapter.identityToken(new URL(url).origin)}`,
  });

  const startFailure = async (error: unknown): Promise<never> => {
    const revision = await adapter.getRevision(name, candidate).catch(() => undefined);
    if (revision?.ready === "failed") {
      throw new GateFailure(
        "start",
        `Revision ${candidate} failed to start: ${revision.readyMessage ?? "not ready"}`,
      );
    }
    throw error;
  };

  const apply = async (action: PlanAction): Promise<void> => {
    if (signal.aborted) throw new Interrupted();
    switch (action.kind) {
      case "create-service": {
        const created = await step(
          `Create service ${name} with revision ${candidate} (tag ${plan.candidate.tag})`,
          async () => {
            const body: IService = {
              labels: { "managed-by": "echogate" },
              annotations: {},
              template: toRevisionTemplate(plan.candidate.template),
              traffic: toWireTraffic(action.traffic),
            };
            applyServiceMetadata(body, plan.service.metadata);
            applyLock(body, undefined, options.owner, now(), isAlive, "keep");
            createdService = true;
            lockHeld = true;
            try {
              return await adapter.createService(name, body);
            } catch (error) {
              return await startFailure(error);
            }
          },
          (loaded: LoadedService) => loaded.snapshot.uri ?? "",
        );
        latest = created.snapshot;
        return;
      }
      case "create-revision":
      case "tag-candidate": {
        const title =
          action.kind === "create-revision"
            ? `Create revision ${candidate} (0% traffic, tag ${plan.candidate.tag})`
            : `Tag existing revision ${candidate} as ${plan.candidate.tag} (0% traffic)`;
        await step(title, async () => {
          try {
            await write((raw) => {
              if (action.kind === "create-revision")
                raw.template = toRevisionTemplate(plan.candidate.template);
              setTraffic(raw, action.traffic);
            });
          } catch (error) {
            await startFailure(error);
          }
          if (action.kind === "tag-candidate") {
            const revision = await adapter.getRevision(name, candidate);
            if (revision?.ready === "failed") {
              throw new GateFailure(
                "start",
                `Revision ${candidate} failed to start: ${revision.readyMessage ?? "not ready"}`,
              );
            }
          }
        });
        return;
      }
      case "smoke":
        await runSmoke(action.check);
        return;
      case "shift": {
        const share = action.traffic
          .map((t) => `${t.revision} ${t.percent}%`)
          .filter((s) => !s.endsWith(" 0%"));
        await step(`Shift traffic: ${share.join(", ")}`, async () => {
          await write((raw, snapshot) => {
            setTraffic(raw, action.traffic);
            if (!shifted) record(raw, snapshot, { result: "passed", stage: "candidate" });
          });
          shifted = true;
        });
        return;
      }
      case "make-public":
        await step(`Make ${name} public (allUsers gets roles/run.invoker)`, () =>
          adapter.setPublicInvoker(name, true),
        );
        return;
      case "finish":
        await step("Record gate result", async () => {
          await write(
            (raw, snapshot) => record(raw, snapshot, { result: "passed", stage: "service" }),
            "release",
          );
        });
        return;
    }
  };

  try {
    if (!lockHeld && plan.service.exists && !plan.alreadyServing) {
      await step(`Lock ${plan.environment}`, () =>
        acquireLock(adapter, name, options.owner, { now, isAlive, output }),
      );
      lockHeld = true;
    }
    if (plan.alreadyServing) latest = (await adapter.getService(name))?.snapshot;
    for (const action of plan.actions) await apply(action);
    outcome.ok = true;
    outcome.result = plan.alreadyServing ? "already-serving" : "promoted";
  } catch (error) {
    if (error instanceof Interrupted || (signal.aborted && !(error instanceof GateFailure))) {
      await afterInterrupt();
    } else if (error instanceof GateFailure) {
      outcome.failure = { stage: error.stage, message: error.message };
      await afterGateFailure(error);
    } else {
      await bestEffortRelease();
      throw error;
    }
  }
  outcome.traffic = latest?.traffic ?? outcome.traffic;
  outcome.url = latest?.uri ?? outcome.url;
  return outcome;

  async function afterGateFailure(failure: GateFailure): Promise<void> {
    if (plan.alreadyServing && !lockHeld) {
      // The serving revision failed its re-check: its gate no longer passes, so traffic leaves it
      // like any failed candidate (under the lock, which a killed run may still hold).
      await step(`Lock ${plan.environment}`, () =>
        acquireLock(adapter, name, options.owner, { now, isAlive, output }),
      );
      lockHeld = true;
    }
    if (createdService) {
      await step(`Delete new service ${name} (its only revision failed the gate)`, () =>
        adapter.deleteService(name),
      );
      latest = undefined;
      lockHeld = false;
      outcome.result = shifted ? "rolled-back" : "refused";
      return;
    }
    if (!lockHeld) return;
    const policy = plan.onFailure;
    if (policy.kind === "delete-service") return;
    if (policy.kind === "make-private" && plan.service.access === "public") {
      await step(`Make ${name} private: no revision passed its gate`, () =>
        adapter.setPublicInvoker(name, false),
      );
    }
    const moves = shifted || policy.kind === "last-passed";
    const title =
      policy.kind === "last-passed"
        ? `Move traffic to ${policy.revision}, the last revision that passed its gate`
        : shifted
          ? `Roll traffic back: ${describeTraffic(policy.traffic)}`
          : `Leave traffic as it was, remove tag ${plan.candidate.tag}`;
    await step(title, () =>
      write((raw, snapshot) => {
        setTraffic(raw, policy.traffic);
        record(raw, snapshot, { result: "failed", stage: failure.stage });
      }, "release"),
    );
    outcome.result = policy.kind === "make-private" ? "private" : moves ? "rolled-back" : "refused";
  }

  async function afterInterrupt(): Promise<void> {
    outcome.result = "interrupted";
    outcome.failure = {
      stage: shifted ? "service" : "candidate",
      message: "Interrupted before the promotion finished.",
    };
    if (!lockHeld && !createdService) return;
    if (shifted) {
      // The candidate passed its gate on the tag URL: traffic may stay where it is.
      await write(
        (raw, snapshot) => record(raw, snapshot, { result: "passed", stage: "candidate" }),
        "release",
      ).catch(() => undefined);
      return;
    }
    if (createdService) {
      await adapter.deleteService(name).catch(() => undefined);
      return;
    }
    await write((raw) => setTraffic(raw, plan.rollbackTraffic), "release").catch(() => undefined);
  }

  async function bestEffortRelease(): Promise<void> {
    if (!lockHeld) return;
    if (createdService && !shifted) {
      await adapter.deleteService(name).catch(() => undefined);
      return;
    }
    await releaseLock(adapter, name, options.owner).catch(() => undefined);
  }
}

class Interrupted extends Error {
  constructor() {
    super("Interrupted");
  }
}

export function describeTraffic(traffic: readonly TrafficTarget[]): string {
  const shares = traffic.filter((t) => t.percent > 0).map((t) => `${t.revision ?? "LATEST"} ${t.percent}%`);
  return shares.join(", ") || "none";
}

/** Exit code and error for an outcome that did not pass, with the smoke report in details. */
export function outcomeError(outcome: PromotionOutcome): CheckFailedError {
  const where =
    outcome.result === "rolled-back"
      ? `traffic went back to ${describeTraffic(outcome.traffic)}, which passed its gate`
      : outcome.result === "private"
        ? `no revision of ${outcome.service} passed its gate, so it is private (only callers with an identity token reach it) and traffic was not moved`
        : outcome.result === "interrupted"
          ? "interrupted; traffic is on a revision that passed its gate"
          : "traffic was not moved";
  return new CheckFailedError(
    outcome.result === "interrupted" ? "promote.interrupted" : "promote.gate-failed",
    `Can't ${outcome.mode} ${outcome.version} to ${outcome.environment}: ${outcome.failure?.message ?? "the gate failed"} (${where}).`,
    {
      hint:
        outcome.result === "interrupted"
          ? `Re-run the same command to finish; it finds revision ${outcome.revision} and converges.`
          : `Fix the build and deploy again; \`echogate status\` shows what ${outcome.environment} serves.`,
      details: outcome,
    },
  );
}
