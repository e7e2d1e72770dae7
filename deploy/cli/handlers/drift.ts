import { configErrorFrom, type Diagnostic } from "../../core/diagnostics.js";
import { formatDuration } from "../../core/duration.js";
import { UsageError } from "../../core/errors.js";
import { collectDriftFacts, DEFAULT_CONCURRENCY } from "../../drift/collect-drift-facts.js";
import { evaluateDrift } from "../../drift/evaluate.js";
import { sharedBackendNotice } from "../../drift/evaluators/source.js";
import { loadDriftPolicy } from "../../drift/policy-file.js";
import { buildReport, type DriftReport } from "../../drift/report/drift-report.js";
import { githubAnnotations } from "../../drift/report/github-annotations.js";
import { renderMarkdown } from "../../drift/report/render-markdown.js";
import { renderText } from "../../drift/report/render-text.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { driftShape } from "../commands/drift.js";
import { withHtmlReport } from "../html-report.js";

export function run(args: ArgsOf<typeof driftShape>, ctx: CommandContext): Promise<number> {
  return withHtmlReport(args.report, ctx, "echogate drift", { kind: "drift" }, (source) =>
    drift(args, ctx, (report) => {
      source.report = report;
    }),
  );
}

async function drift(
  args: ArgsOf<typeof driftShape>,
  ctx: CommandContext,
  reached: (report: DriftReport) => void,
): Promise<number> {
  const concurrency = parseConcurrency(args.concurrency);
  if (args.markdown && ctx.globals.json) throw new UsageError("Pass --json or --markdown, not both.");

  const step = ctx.output.step(args.source ? "collect source facts" : "collect drift facts");
  let collected: Awaited<ReturnType<typeof collectDriftFacts>>;
  try {
    collected = await collectDriftFacts({
      project: ctx.project,
      platform: ctx.platform,
      environments: args.env,
      sourceOnly: args.source,
      concurrency,
      signal: ctx.signal,
    });
  } catch (error) {
    step.fail();
    const details = (error as { details?: { diagnostics?: never[] } }).details;
    if (details?.diagnostics) ctx.output.diagnostics(details.diagnostics);
    throw error;
  }
  const { facts } = collected;
  step.done(`${facts.targets.length} service(s), ${formatDuration(facts.ms)}`);
  ctx.output.diagnostics(collected.diagnostics);

  // Names are checked against every environment, so drift.yaml may name ones this run leaves out
  // (`--env production` with `environments: [staging, production]`); rules apply to those selected.
  const loaded = await loadDriftPolicy(ctx.cwd, collected.environmentNames);
  if (loaded.diagnostics.hasErrors) {
    ctx.output.diagnostics(loaded.diagnostics.items);
    throw configErrorFrom(loaded.diagnostics.errors, {
      code: "drift.invalid-policy",
      subject: loaded.policy.file ?? "environments/drift.yaml",
      hint: "Fix the keys listed above; every rule override needs `reason:`.",
    });
  }
  const report = buildReport(
    facts,
    evaluateDrift(facts, loaded.policy),
    loaded.policy.file,
    judgedConfigErrors(collected.diagnostics, args.env),
  );

  for (const shared of facts.source.sharedBackends ?? [])
    if (shared.declared !== undefined) ctx.output.info(`Notice: ${sharedBackendNotice(shared)}`);
  reached(report);
  if (args.markdown) ctx.output.result(report, (data) => renderMarkdown(data));
  else ctx.output.result(report, (data, style) => renderText(data, style));
  if (ctx.env.GITHUB_ACTIONS === "true") annotate(ctx, report);
  return report.exitCode;
}

/** Workflow commands on stderr, so stdout stays the report (it may be appended to the step summary). */
function annotate(ctx: CommandContext, report: DriftReport): void {
  for (const line of githubAnnotations(report.findings)) ctx.output.info(line);
}

/**
 * The configuration errors that make this run's verdict a guess: all of them, except those in the
 * files of environments `--env` left out.
 */
function judgedConfigErrors(diagnostics: readonly Diagnostic[], selected: readonly string[]): Diagnostic[] {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (selected.length === 0) return errors;
  const environmentOf = (file: string | undefined) => /^environments\/([^/]+)\.ya?ml$/.exec(file ?? "")?.[1];
  return errors.filter((d) => {
    const environment = environmentOf(d.file);
    return environment === undefined || environment === "echogate" || selected.includes(environment);
  });
}

function parseConcurrency(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CONCURRENCY;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new UsageError(`Can't use --concurrency ${raw}: expected a whole number from 1 to 256.`);
  }
  return value;
}
