import { processIsRunning } from "@echogate/common/process-alive";
import { promotionCommand } from "../config/promotion-command.js";
import { CheckFailedError, ConfigError, messageOf } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { rollbackWebWith, type WebRollback } from "../hosting/rollback-web.js";
import { readGateRecords, withGateRecord, writeGateRecords } from "../model/gate-records.js";
import { assertNamesWithinLimits, assertSingleRegion } from "../model/name-limits.js";
import { applyLock, withPromotionLock } from "../platform/cloudrun/lock-io.js";
import { formatTraffic, toWireTraffic } from "../platform/cloudrun/service-model.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { lockOwner } from "./promote-environment.js";
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

/** Traffic back to the previous revision that passed its gate, then a smoke on the service URL. */
export async function rollbackEnvironment(
  options: RollbackOptions,
): Promise<{ plan: RollbackPlan; outcome?: RollbackOutcome; web?: WebRollback }> {
  const { output } = options;
  const environment = await options.project.environment(options.environment);
  assertNamesWithinLimits(environment);
  assertSingleRegion(environment);
  const { service } = environment.config;
  const adapter = await options.platform.cloudRun(service, service.regions[0]!);
  const name = environment.config.service.name;
  const owner = lockOwner(`echogate rollback ${environment.name}`);
  const [loaded, revisions] = await Promise.all([adapter.getService(name), adapter.listRevisions(name)]);
  if (!loaded) {
    throw new ConfigError(
      "rollback.no-service",
      `Can't roll back ${environment.name}: service ${name} does not exist.`,
      {
        hint: `Deploy it first: \`echogate deploy ${environment.name}\`.`,
      },
    );
  }
  const plan = planRollback({
    environment: environment.name,
    promotionCommand: promotionCommand(environment.name, environment.config.promotesFrom),
    service: loaded.snapshot,
    revisions,
    ...(options.to ? { to: options.to } : {}),
  });
  options.onPlan?.(plan);
  const webWith = (annotations: Record<string, string>, dryRun: boolean) =>
    rollbackWebWith({
      platform: options.platform,
      environment,
      annotations,
      revision: plan.target.revision,
      output,
      dryRun,
    });
  if (options.dryRun) {
    const web = await webWith(loaded.snapshot.annotations, true);
    return { plan, ...(web ? { web } : {}) };
  }

  const updated = await withPromotionLock(
    adapter,
    name,
    owner,
    { label: environment.name, output },
    async (lock) => {
      const shift = output.step(`Shift traffic: ${formatTraffic(plan.traffic)}`, {
        environment: environment.name,
      });
      try {
        const written = await adapter.mutateService(name, (raw, snapshot) => {
          raw.traffic = toWireTraffic(plan.traffic);
          raw.annotations = { ...(raw.annotations ?? {}) };
          const records = readGateRecords(snapshot.annotations);
          const from = records.find((r) => r.revision === plan.current.revision);
          if (from && from.revision !== plan.target.revision) {
            writeGateRecords(
              raw.annotations,
              withGateRecord(records, { ...from, rolledBackAt: new Date().toISOString() }),
            );
          }
          applyLock(raw, snapshot, owner, new Date(), processIsRunning, "release");
          return raw;
        });
        lock.wrote("release");
        shift.done();
        return written;
      } catch (error) {
        shift.fail(messageOf(error));
        throw error;
      }
    },
  );
  const outcome: RollbackOutcome = {
    ok: true,
    environment: environment.name,
    from: plan.current.revision,
    to: plan.target.revision,
    version: plan.target.version,
    digest: plan.target.digest,
    url: updated.snapshot.uri,
    smoke: [],
  };
  const smoke = options.smoke ?? (await import("./gate-smoke.js")).createGateSmoke(environment, output);
  if (updated.snapshot.uri) {
    const check = output.step(`Smoke service at ${updated.snapshot.uri}`);
    // A service that never went public (its first gate failed) is checked with an identity token.
    const isPrivate = (await adapter.invokerAccess(name)) === "private";
    const auth = isPrivate
      ? { authorization: `Bearer ${await adapter.identityToken(updated.snapshot.uri)}` }
      : undefined;
    const report = await smoke(
      updated.snapshot.uri,
      {
        target: "service",
        expectVersion: plan.target.version,
        expectRevision: plan.target.revision,
        ...(isPrivate ? { identityToken: true } : {}),
      },
      options.signal,
      auth,
    );
    outcome.smoke.push(report);
    outcome.ok = report.ok;
    if (report.ok) check.done(`${report.checks.length} checks passed`);
    else
      check.fail(
        report.checks
          .filter((c: { ok: boolean }) => !c.ok)
          .map((c: { name: string; detail?: string }) => `${c.name}: ${c.detail ?? "failed"}`)
          .join("; "),
      );
  }
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
  const web = await webWith(updated.snapshot.annotations, false);
  if (web) outcome.web = web;
  return { plan, outcome };
}
