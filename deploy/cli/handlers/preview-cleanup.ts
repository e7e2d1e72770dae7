import { createInterface } from "node:readline/promises";
import { parseDuration } from "../../core/duration.js";
import { PlatformError, UsageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { planCleanup } from "../../preview/cleanup-plan.js";
import { type CleanupOutcome, runCleanup, type StepOutcome } from "../../preview/cleanup-run.js";
import { collectPreviews, openPreviewContext } from "../../preview/preview-context.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { previewCleanupShape } from "../commands/preview.js";

export async function run(args: ArgsOf<typeof previewCleanupShape>, ctx: CommandContext): Promise<number> {
  const { olderThan: olderThanText, branch } = args;
  if (olderThanText === undefined && branch === undefined) {
    throw new UsageError("Can't tell which previews to delete.", {
      hint: "Pass --older-than 7d, or --branch <name>.",
    });
  }
  const olderThanMs = olderThanText === undefined ? undefined : (parseDuration(olderThanText) ?? NaN) * 1000;
  if (olderThanMs !== undefined && !Number.isFinite(olderThanMs)) {
    throw new UsageError(`Can't use --older-than ${olderThanText}: expected a duration like 12h or 7d.`);
  }
  const context = await openPreviewContext(ctx.project, ctx.platform, args.env);
  const now = new Date();
  const rows = await collectPreviews(context, now);
  const plan = planCleanup(rows, {
    ...(olderThanMs !== undefined ? { olderThanMs } : {}),
    ...(branch !== undefined ? { branch } : {}),
    protect: args.protect,
    environmentServices: context.environments
      .filter((e) => e.config.kind !== "preview")
      .map((e) => e.config.service.name),
    now,
  });
  if (plan.remove.length === 0) {
    ctx.output.result(
      {
        deleted: [],
        kept: plan.keep.map(({ row, reason }) => ({ id: row.id, branch: row.branch, reason })),
        remaining: [],
      },
      () =>
        branch !== undefined && !rows.some((row) => row.branch === branch || row.id === branch)
          ? `No preview for branch ${branch}: nothing to delete.`
          : "Nothing to delete.",
    );
    return ExitCode.ok;
  }
  ctx.output.info(`Will delete ${plan.remove.length} preview(s):`);
  for (const row of plan.remove)
    ctx.output.info(`  ${row.branch}  service ${row.service ?? "-"}  channel ${row.channel ?? "-"}`);
  for (const { row, reason } of plan.keep.filter((k) => k.reason.startsWith("protected")))
    ctx.output.info(`  keeping ${row.branch}: ${reason}`);
  if (!args.yes) {
    const interactive =
      Boolean(process.stdin.isTTY && process.stderr.isTTY) && !ctx.env.CI && !ctx.globals.json;
    if (!interactive) {
      throw new UsageError("Can't delete without confirmation: no terminal to ask on.", {
        hint: "Re-run with --yes (CI) after checking the list above.",
      });
    }
    if (!(await confirm(`Delete ${plan.remove.length} preview(s)? [y/N] `))) {
      ctx.output.info("Nothing deleted.");
      return ExitCode.ok;
    }
  }
  const site = context.environment.config.hosting?.site;
  const report = await runCleanup(
    plan.remove,
    { services: context.services, hosting: context.hosting?.adapter, site },
    (outcome) => ctx.output.event({ event: "preview.cleanup.done", ...outcome }),
  );
  const data = {
    deleted: report.outcomes,
    kept: plan.keep.map(({ row, reason }) => ({ id: row.id, branch: row.branch, reason })),
    remaining: report.remaining,
  };
  if (report.remaining.length > 0) {
    ctx.output.info(renderOutcomes(report.outcomes));
    throw new PlatformError(
      "preview.cleanup-partial",
      `Failed to delete everything: ${report.remaining.length} preview(s) are partly left: ${report.remaining.join(", ")}.`,
      {
        hint: "Re-run the same cleanup; deleted parts are skipped and the rest is retried.",
        details: data,
      },
    );
  }
  ctx.output.result(data, () => renderOutcomes(report.outcomes));
  return ExitCode.ok;
}

function renderOutcomes(outcomes: readonly CleanupOutcome[]): string {
  const show = (outcome: StepOutcome) =>
    typeof outcome === "string" ? outcome : `FAILED (${outcome.failed})`;
  return outcomes
    .map((o) => `${o.branch}: service ${show(o.service)}, channel ${show(o.channel)}`)
    .join("\n");
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
