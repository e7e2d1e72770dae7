import { processIsRunning } from "@echogate/common/process-alive";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { promotionCommand } from "../config/promotion-command.js";
import { CheckFailedError, ConfigError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { rollbackWebWith, type WebRollback } from "../hosting/rollback-web.js";
import { judgeLock, readLock } from "../model/lock.js";
import { assertNamesWithinLimits, assertSingleRegion } from "../model/name-limits.js";
import type { CloudRunAdapter, LoadedService } from "../platform/cloudrun/adapter.js";
import { withPromotionLock } from "../platform/cloudrun/lock-io.js";
import type { RevisionSnapshot } from "../platform/cloudrun/service-model.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { executePlan } from "./execute.js";
import { lockOwner } from "./promote-environment.js";
import type { PromotionOutcome } from "./promotion-outcome.js";
import { planRollback, type RollbackPlan } from "./rollback-plan.js";
import type { GateSmoke, PromotionSmoke } from "./smoke-types.js";

interface RollbackOptions {
  project: Project;
  platform: Platform;
  environment: string;
  to?: string;
  dryRun?: boolean;
  output: Output;
  signal: AbortSignal;
  smoke?: GateSmoke;
  /** Told the plan as soon as it is made (a report of a rollback that then fails still shows it). */
  onPlan?: (plan: RollbackPlan) => void;
}

interface RollbackOutcome {
  ok: boolean;
  environment: string;
  from: string | undefined;
  to: string;
  version: string;
  digest: string;
  url: string | undefined;
  smoke: PromotionSmoke[];
  /** The web front end moved back with the server (or why not). */
  web?: WebRollback;
}

/**
 * Traffic back to the previous revision that passed its gate, then a smoke on the service URL:
 * planned by planRollback, applied under the lock by the promotion's executor.
 */
export async function rollbackEnvironment(
  options: RollbackOptions,
): Promise<{ plan: RollbackPlan; outcome?: RollbackOutcome; web?: WebRollback }> {
  const { output } = options;
  const environment = await options.project.environment(options.environment);
  assertNamesWithinLimits(environment);
  assertSingleRegion(environment);
  const { service } = environment.config;
  const adapter = await options.platform.cloudRun(service, service.regions[0]!);
  const { loaded, revisions } = await readService(adapter, environment);
  const access = await adapter.invokerAccess(service.name);
  const makePlan = (current: LoadedService) => {
    const plan = planRollback({
      environment: environment.name,
      promotionCommand: promotionCommand(environment.name, environment.config.promotesFrom),
      service: current.snapshot,
      revisions,
      access,
      ...(options.to ? { to: options.to } : {}),
    });
    options.onPlan?.(plan);
    return plan;
  };
  let planned: RollbackPlan;
  try {
    planned = makePlan(loaded);
  } catch (error) {
    // A rollback killed after its shift leaves traffic on the target (nothing earlier to roll back
    // to now) and its lock behind: a lock whose holder is gone is cleared before the error is said.
    if (!options.dryRun) await clearStaleLock(adapter, service.name, loaded, environment.name, output);
    throw error;
  }
  const webWith = (plan: RollbackPlan, annotations: Record<string, string>, dryRun: boolean) =>
    rollbackWebWith({
      platform: options.platform,
      environment,
      annotations,
      revision: plan.target.revision,
      output,
      dryRun,
    });
  if (options.dryRun) {
    const web = await webWith(planned, loaded.snapshot.annotations, true);
    return { plan: planned, ...(web ? { web } : {}) };
  }

  const owner = lockOwner(`echogate rollback ${environment.name}`);
  const smoke = options.smoke ?? (await import("./gate-smoke.js")).createGateSmoke(environment, output);
  // Planned again under the lock: another promotion may have finished in between.
  const { plan, executed } = await withPromotionLock(
    adapter,
    service.name,
    owner,
    { label: environment.name, output, known: loaded },
    async (lock) => {
      const plan = lock.written ? makePlan(lock.written) : planned;
      const executed = await executePlan(plan, {
        adapter,
        smoke,
        output,
        signal: options.signal,
        owner,
        lock,
      });
      return { plan, executed };
    },
  );
  const outcome = rollbackOutcome(plan, executed);
  if (!outcome.ok) {
    throw new CheckFailedError(
      "rollback.smoke-failed",
      `Can't confirm the rollback of ${environment.name}: the smoke test failed on ${plan.target.revision}.`,
      {
        hint: "Traffic is on the revision that passed its gate earlier; check its logs and `echogate status`.",
        details: outcome,
      },
    );
  }
  const after = await adapter.getService(service.name);
  const web = await webWith(plan, after?.snapshot.annotations ?? {}, false);
  if (web) outcome.web = web;
  return { plan, outcome };
}

/** Takes over and releases the service's lock when its holder is gone; a live holder's stays. */
async function clearStaleLock(
  adapter: CloudRunAdapter,
  serviceName: string,
  loaded: LoadedService,
  label: string,
  output: Output,
): Promise<void> {
  const owner = lockOwner(`echogate rollback ${label}`);
  const verdict = judgeLock(readLock(loaded.snapshot.annotations), owner, new Date(), processIsRunning);
  if (verdict.state !== "stale") return;
  await withPromotionLock(
    adapter,
    serviceName,
    owner,
    { label, output, known: loaded },
    async () => undefined,
  );
}

async function readService(
  adapter: CloudRunAdapter,
  environment: LoadedEnvironment,
): Promise<{ loaded: LoadedService; revisions: RevisionSnapshot[] }> {
  const name = environment.config.service.name;
  const [loaded, revisions] = await Promise.all([adapter.getService(name), adapter.listRevisions(name)]);
  if (!loaded) {
    throw new ConfigError(
      "rollback.no-service",
      `Can't roll back ${environment.name}: service ${name} does not exist.`,
      { hint: `Deploy it first: \`echogate deploy ${environment.name}\`.` },
    );
  }
  return { loaded, revisions };
}

function rollbackOutcome(plan: RollbackPlan, executed: PromotionOutcome): RollbackOutcome {
  return {
    ok: executed.ok,
    environment: plan.environment,
    from: plan.current.revision,
    to: plan.target.revision,
    version: plan.target.version,
    digest: plan.target.digest,
    url: executed.url,
    smoke: executed.smoke,
  };
}
