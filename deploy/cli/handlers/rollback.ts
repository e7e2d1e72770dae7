import { ExitCode } from "../../core/exit-codes.js";
import type { WebRollback } from "../../hosting/rollback-web.js";
import { formatTraffic } from "../../platform/cloudrun/service-model.js";
import { renderRollbackPlan, renderSmoke } from "../../promote/render-promotion.js";
import { rollbackEnvironment } from "../../promote/rollback-environment.js";
import type { ReportSource } from "../../report/report-model.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { rollbackShape } from "../commands/promotion.js";
import { withHtmlReport } from "../html-report.js";

export function run(args: ArgsOf<typeof rollbackShape>, ctx: CommandContext): Promise<number> {
  const command = `echogate rollback ${args.environment}`;
  return withHtmlReport(args.report, ctx, command, { kind: "rollback" }, async (report) => {
    try {
      return await rollback(args, ctx, (part) => Object.assign(report, part));
    } catch (error) {
      // A rollback whose smoke failed says so with its outcome in the error's details.
      const details = (error as { details?: unknown }).details as RollbackReport["outcome"] | undefined;
      if (details && Array.isArray(details.smoke)) report.outcome = details;
      throw error;
    }
  });
}

type RollbackReport = Extract<ReportSource, { kind: "rollback" }>;

async function rollback(
  args: ArgsOf<typeof rollbackShape>,
  ctx: CommandContext,
  reached: (part: Omit<RollbackReport, "kind">) => void,
): Promise<number> {
  const { plan, outcome, web } = await rollbackEnvironment({
    project: ctx.project,
    platform: ctx.platform,
    environment: args.environment,
    dryRun: args.dryRun,
    output: ctx.output,
    signal: ctx.signal,
    ...(args.to ? { to: args.to } : {}),
    onPlan: (planned) => reached({ plan: planned }),
  });
  reached({ plan, ...(outcome ? { outcome } : {}) });
  const webResult = outcome?.web ?? web;
  ctx.output.result(
    { ok: true, dryRun: !outcome, plan, outcome: outcome ?? null, ...(webResult ? { web: webResult } : {}) },
    (data, style) => {
      if (!data.outcome)
        return [
          renderRollbackPlan(data.plan, style),
          ...(webResult ? [`  then (web)     ${renderWebRollback(webResult)}`] : []),
        ].join("\n");
      const lines = [
        `Rolled back ${plan.environment}: ${plan.current.revision ?? "(none)"} → ${plan.target.revision} (${plan.target.version}, gate passed ${plan.target.at})`,
        `  traffic  ${formatTraffic(plan.traffic)}`,
      ];
      for (const report of data.outcome?.smoke ?? []) lines.push(...renderSmoke(report, style));
      if (webResult) lines.push(`  web      ${renderWebRollback(webResult)}`);
      return lines.join("\n");
    },
  );
  return ExitCode.ok;
}

function renderWebRollback(web: WebRollback): string {
  if ("skipped" in web) return `not moved: ${web.skipped}`;
  if ("wouldRelease" in web)
    return `would release ${web.wouldRelease.version} again (paired with ${web.wouldRelease.revision})`;
  return `${web.from ?? "(none)"} → ${web.released.version} (paired with ${web.released.revision})`;
}
