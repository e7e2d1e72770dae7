import { formatDuration } from "../core/duration.js";
import type { Style } from "../core/output.js";
import { CANDIDATE_TAG } from "../model/name-limits.js";
import { formatTraffic } from "../platform/cloudrun/service-model.js";
import { renderSmokeChecks } from "../smoke/render-smoke-report.js";
import type { FailurePolicy, FailureStage, RecoveryAction } from "./failure-policy.js";
import type { ExecutablePlan, PlanAction, PromotionPlan } from "./plan-types.js";
import type { PromotionOutcome } from "./promotion-outcome.js";
import type { RollbackPlan } from "./rollback-plan.js";
import type { PromotionSmoke } from "./smoke-types.js";

function describeAction(action: PlanAction, plan: ExecutablePlan): string {
  switch (action.kind) {
    case "create-service":
      return `create service ${serviceOf(plan)} with revision ${action.revision} (tag ${CANDIDATE_TAG})`;
    case "create-revision":
      return `create revision ${action.revision} with 0% traffic, tag ${CANDIDATE_TAG}`;
    case "tag-candidate":
      return `tag existing revision ${action.revision} as ${CANDIDATE_TAG} (0% traffic)`;
    case "smoke": {
      const expects = [
        action.check.expectVersion ? `version ${action.check.expectVersion}` : undefined,
        action.check.expectRevision ? `revision ${action.check.expectRevision}` : undefined,
      ].filter(Boolean);
      const where = action.check.target === "candidate" ? "candidate tag URL" : "service URL";
      return `smoke on the ${where}: /health${expects.length ? ` (${expects.join(", ")})` : ""}, echo to sender and others`;
    }
    case "shift":
      if (plan.kind === "rollback")
        return `shift traffic → ${formatTraffic(action.traffic)}${action.rolledBackFrom ? ` + mark ${action.rolledBackFrom} as rolled back from in the same update` : ""}`;
      return `shift traffic → ${formatTraffic(action.traffic)} + record the gate result in the same update`;
    case "make-public":
      return "make the service public (allUsers gets roles/run.invoker): the gate passed";
    case "await-regions":
      return `wait until ${action.regions.join(", ")} each passed this smoke; one failing fails it here too`;
    case "finish":
      return plan.kind === "rollback"
        ? "release the lock"
        : "record the verified result and release the lock";
  }
}

export function renderPlan(plan: PromotionPlan, style: Style): string {
  const lines = [
    style.bold(`Plan: ${plan.mode} ${plan.environment}`) +
      ` — ${plan.service.name} (${plan.service.project}/${plan.service.region}, ${plan.service.endpoint === "local" ? "emulator" : "Cloud Run"})`,
    `  artifact       ${plan.artifact.version}  ${plan.artifact.digest}  (${artifactSource(plan)})`,
    `  candidate      ${plan.candidate.revision}  (${plan.candidate.exists ? `exists, ${plan.candidate.state}` : "new"})`,
    `  env            ${plan.candidate.envKeys.join(", ") || "none"}`,
    `  traffic now    ${plan.service.exists ? formatTraffic(plan.current.split, (s) => `[gate ${s.gate}]`) : "service does not exist yet"}`,
    `  traffic after  ${formatTraffic(plan.finalTraffic)}`,
    `  access         ${plan.service.exists ? plan.service.access : "created private"}${plan.service.access === "private" ? " (public only after the gate passes)" : ""}`,
    `  on failure     ${describeFailurePolicy(plan.onFailure)}`,
  ];
  if (plan.alreadyServing)
    lines.push(
      style.green(`  ${plan.candidate.revision} already serves 100% and passed its gate: only re-checked.`),
    );
  lines.push(...renderSteps(plan, style));
  if (plan.warnings.length) {
    lines.push(style.bold("  warnings"));
    for (const w of plan.warnings) lines.push(`    ${style.yellow("!")} ${w.message}`);
  }
  return lines.join("\n");
}

/** A rollback's plan, printed like a promotion's: what moves, the steps, and what each failure leaves. */
export function renderRollbackPlan(plan: RollbackPlan, style: Style): string {
  return [
    `${style.bold(`Plan: rollback ${plan.environment}`)} — ${plan.service}`,
    `  from           ${plan.current.revision ?? "(none)"}`,
    `  to             ${plan.target.revision} (${plan.target.version}, gate passed ${plan.target.at})`,
    `  traffic now    ${formatTraffic(plan.current.split, (s) => `[gate ${s.gate}]`)}`,
    `  traffic after  ${formatTraffic(plan.traffic)}`,
    `  access         ${plan.access}${plan.access === "private" ? " (checked with an identity token)" : ""}`,
    ...renderSteps(plan, style),
  ].join("\n");
}

function serviceOf(plan: ExecutablePlan): string {
  return plan.kind === "promotion" ? plan.service.name : plan.service;
}

function renderSteps(plan: ExecutablePlan, style: Style): string[] {
  const lines = [style.bold("  steps")];
  for (const [i, action] of plan.actions.entries())
    lines.push(`    ${i + 1}. ${describeAction(action, plan)}`);
  lines.push(style.bold("  if a gate fails"));
  for (const stage of plan.recovery)
    lines.push(`    ${stepRange(stage)}  ${describeRecovery(stage.gateFails)} → ${stage.result}`);
  lines.push(style.bold("  if interrupted"));
  for (const stage of plan.recovery)
    lines.push(`    ${stepRange(stage)}  ${describeRecovery(stage.interrupted)}`);
  return lines;
}

function describeFailurePolicy(policy: FailurePolicy): string {
  switch (policy.kind) {
    case "delete-service":
      return "the new service is deleted";
    case "restore":
      return `traffic stays on / returns to ${formatTraffic(policy.traffic)}`;
    case "last-passed":
      return `traffic goes to ${policy.revision} 100%, the last revision that passed its gate`;
    case "unchanged":
      return "traffic unchanged";
    case "make-private":
      return "no revision passed its gate: the service is made private (no public invoker), traffic not moved";
  }
}

function stepRange(stage: FailureStage): string {
  return (stage.from === stage.to ? `at step ${stage.from}` : `at steps ${stage.from}–${stage.to}`).padEnd(
    14,
  );
}

function describeRecovery(actions: readonly RecoveryAction[]): string {
  return actions.map((a) => a.title.charAt(0).toLowerCase() + a.title.slice(1)).join(", then ");
}

function artifactSource(plan: PromotionPlan): string {
  const a = plan.artifact;
  if (a.source === "promotes-from" && a.from)
    return `passed ${a.from.environment} on ${a.from.revision} at ${a.from.passedAt}`;
  return a.source === "build" ? "built now" : "from --image";
}

/** A promotion's smoke: which URL, the verdict, then the same check rows `echogate smoke` prints. */
export function renderSmoke(smoke: PromotionSmoke, style: Style): string[] {
  return [
    `  smoke ${smoke.target} ${smoke.url} — ${smoke.ok ? style.green("passed") : style.red("failed")} (${formatDuration(smoke.ms)})`,
    ...renderSmokeChecks(smoke.checks, style, "    "),
    ...(smoke.notices ?? []).map((notice) => `    ${style.yellow("notice")} ${notice}`),
  ];
}

export function renderOutcome(outcome: PromotionOutcome, style: Style): string {
  const head =
    outcome.result === "already-serving"
      ? `${outcome.environment}: ${outcome.revision} already serves ${outcome.version}; re-checked.`
      : outcome.ok
        ? `${outcome.environment}: ${outcome.version} serves 100% on ${outcome.revision}.`
        : `${outcome.environment}: ${outcome.version} was not promoted (${outcome.result}).`;
  const lines = [outcome.ok ? style.green(head) : style.red(head)];
  lines.push(`  url      ${outcome.url ?? "—"}`);
  lines.push(`  digest   ${outcome.digest}`);
  lines.push(`  traffic  ${formatTraffic(outcome.traffic)}`);
  for (const smoke of outcome.smoke) lines.push(...renderSmoke(smoke, style));
  return lines.join("\n");
}
