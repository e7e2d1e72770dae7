import { ExitCode } from "../../core/exit-codes.js";
import type { WebRollback } from "../../hosting/rollback-web.js";
import { formatTraffic } from "../../platform/cloudrun/service-model.js";
import { renderSmoke } from "../../promote/report.js";
import { rollbackEnvironment } from "../../promote/rollback-environment.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { rollbackShape } from "../commands/promotion.js";

export async function run(args: ArgsOf<typeof rollbackShape>, ctx: CommandContext): Promise<number> {
  const { plan, outcome, web } = await rollbackEnvironment({
    project: ctx.project,
    platform: ctx.platform,
    environment: args.environment,
    dryRun: args.dryRun,
    output: ctx.output,
    signal: ctx.signal,
    ...(args.to ? { to: args.to } : {}),
  });
  const webResult = outcome?.web ?? web;
  ctx.output.result(
    { ok: true, dryRun: !outcome, plan, outcome: outcome ?? null, ...(webResult ? { web: webResult } : {}) },
    (data, style) => {
      const lines = [
        `${data.outcome ? "Rolled back" : "Would roll back"} ${plan.environment}: ${plan.current.revision ?? "(none)"} → ${plan.target.revision} (${plan.target.version}, gate passed ${plan.target.at})`,
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
