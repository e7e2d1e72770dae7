import { parseFault } from "../build/faults.js";
import type { CommandContext } from "../cli/command.js";
import { ExitCode } from "../core/exit-codes.js";
import { outcomeError } from "./execute.js";
import { promoteEnvironment } from "./promote-environment.js";
import { renderOutcome, renderPlan, renderSmoke } from "./report.js";

/** Shared by `deploy` and `promote`: run the pipeline and report the plan or the outcome. */
export async function runPromotionCommand(ctx: CommandContext, mode: "deploy" | "promote"): Promise<number> {
  const environment = ctx.args.environment!;
  const dryRun = ctx.options["dry-run"] === true;
  const image = typeof ctx.options.image === "string" ? ctx.options.image : undefined;
  const version = typeof ctx.options.version === "string" ? ctx.options.version : undefined;
  const fault = parseFault(typeof ctx.options.fault === "string" ? ctx.options.fault : undefined);
  const { plan, outcome } = await promoteEnvironment({
    projectDir: ctx.cwd,
    environment,
    mode,
    output: ctx.output,
    redactor: ctx.redactor,
    signal: ctx.signal,
    env: ctx.env,
    dryRun,
    ...(image ? { image } : {}),
    ...(version ? { version } : {}),
    ...(fault ? { fault } : {}),
    command: `echogate ${mode} ${environment}`,
  });
  if (!outcome) {
    ctx.output.result({ ok: true, dryRun: true, plan }, (data, style) => renderPlan(data.plan, style));
    return ExitCode.ok;
  }
  if (!outcome.ok) {
    if (!ctx.output.json)
      for (const report of outcome.smoke)
        for (const line of renderSmoke(report, ctx.output.style)) ctx.output.info(line);
    throw outcomeError(outcome);
  }
  ctx.output.result({ ok: true, plan, outcome }, (data, style) => renderOutcome(data.outcome, style));
  return ExitCode.ok;
}
