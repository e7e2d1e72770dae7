import { ExitCode } from "../../core/exit-codes.js";
import { formatTraffic, renderSmoke } from "../../promote/report.js";
import { rollbackEnvironment } from "../../promote/rollback-environment.js";
import type { CommandContext } from "../command.js";

export async function run(ctx: CommandContext): Promise<number> {
  const to = typeof ctx.options.to === "string" ? ctx.options.to : undefined;
  const { plan, outcome } = await rollbackEnvironment({
    projectDir: ctx.cwd,
    environment: ctx.args.environment!,
    dryRun: ctx.options["dry-run"] === true,
    output: ctx.output,
    redactor: ctx.redactor,
    signal: ctx.signal,
    env: ctx.env,
    ...(to ? { to } : {}),
  });
  ctx.output.result({ ok: true, dryRun: !outcome, plan, outcome: outcome ?? null }, (data, style) => {
    const lines = [
      `${data.outcome ? "Rolled back" : "Would roll back"} ${plan.environment}: ${plan.current.revision ?? "(none)"} → ${plan.target.revision} (${plan.target.version}, gate passed ${plan.target.at})`,
      `  traffic  ${formatTraffic(plan.traffic)}`,
    ];
    for (const report of data.outcome?.smoke ?? []) lines.push(...renderSmoke(report, style));
    return lines.join("\n");
  });
  return ExitCode.ok;
}
