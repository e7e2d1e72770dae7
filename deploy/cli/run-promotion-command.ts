import { parseFault } from "../build/faults.js";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { UsageError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";
import { checkReportTarget, JUNIT_REPORT, writeReportFile } from "../core/report-target.js";
import type { PreparedWeb } from "../hosting/web-deploy.js";
import { promoteEnvironment } from "../promote/promote-environment.js";
import type { PromotionOutcome } from "../promote/promotion-outcome.js";
import { outcomeError } from "../promote/promotion-outcome.js";
import { renderOutcome, renderPlan, renderSmoke } from "../promote/render-promotion.js";
import {
  preflightWebPromotion,
  promoteWebAfterServer,
  type WebFollowResult,
} from "../promote/web-follows.js";
import { renderPromotionJunit } from "../report/junit.js";
import type { ReportSource } from "../report/report-model.js";
import type { CommandContext } from "./command.js";
import { withHtmlReport } from "./html-report.js";

/** What `deploy` and `promote` take (each declares its own subset). */
interface PromotionArgs {
  environment: string;
  dryRun: boolean;
  image: string | undefined;
  /** deploy only */
  version?: string | undefined;
  fault?: string | undefined;
  /** promote only */
  serverOnly?: boolean;
  strict?: boolean;
  report?: string | undefined;
  junit?: string | undefined;
}

/** Shared by `deploy` and `promote`: run the pipeline and report the plan or the outcome. */
export async function runPromotionCommand(
  args: PromotionArgs,
  ctx: CommandContext,
  mode: "deploy" | "promote",
): Promise<number> {
  const command = `echogate ${mode} ${args.environment}`;
  // Both refused before anything moves when their file can't be written.
  const junit =
    args.junit !== undefined ? await checkReportTarget(JUNIT_REPORT, ctx.cwd, args.junit) : undefined;
  return withHtmlReport(args.report, ctx, command, { kind: "promotion" }, async (report) => {
    const writeJunit = async (outcome: PromotionOutcome) => {
      if (junit)
        await writeReportFile(
          junit,
          ctx.redactor.redact(renderPromotionJunit(command, outcome, ctx.output.steps())),
        );
    };
    return promotion(args, ctx, mode, (part) => Object.assign(report, part), writeJunit);
  });
}

async function promotion(
  args: PromotionArgs,
  ctx: CommandContext,
  mode: "deploy" | "promote",
  reached: (part: Omit<Extract<ReportSource, { kind: "promotion" }>, "kind">) => void,
  writeJunit: (outcome: PromotionOutcome) => Promise<void>,
): Promise<number> {
  const { environment, dryRun, image, version } = args;
  // An empty value (an unset CI variable) must not fall back to building from the working tree.
  if (image !== undefined && image.trim() === "")
    throw new UsageError('Can\'t use --image "": it is empty.', {
      hint: "Pass the digest or image reference to deploy (is the variable that should hold it set?), or omit --image to build.",
    });
  const fault = parseFault(args.fault);
  const serverOnly = args.serverOnly === true;
  const strictScan = args.strict === true;
  const { project, platform } = ctx;
  // Before anything moves (after the plan validated the server half): the web half must be able
  // to follow, so a promotion is never half done.
  // Once per promotion: every region of a multi-region environment waits on the same check.
  let prepared: PreparedWeb | undefined;
  let preflight: Promise<void> | undefined;
  const beforeApply =
    mode === "promote" && !serverOnly
      ? () =>
          (preflight ??= preflightWebPromotion({
            project,
            platform,
            environment,
            output: ctx.output,
            signal: ctx.signal,
            strictScan,
          }).then((result) => {
            prepared = result;
          }))
      : undefined;
  const promoted = await promoteEnvironment({
    project,
    platform,
    environment,
    mode,
    output: ctx.output,
    signal: ctx.signal,
    dryRun,
    ...(image ? { image } : {}),
    ...(version ? { version } : {}),
    ...(fault ? { fault } : {}),
    command: `echogate ${mode} ${environment}`,
    ...(beforeApply ? { beforeApply } : {}),
  });
  const { plan, outcome } = promoted;
  const kind = (await project.environment(environment)).config.kind;
  const dirty = dirtyBuildWarning(plan.artifact.version, kind, mode);
  if (dirty) ctx.output.warn(dirty);
  reached({ plan, ...(outcome ? { outcome } : {}) });
  if (outcome) await writeJunit(outcome);
  // Multi-region environments report each region's outcome besides the one shown.
  const regions = promoted.regions
    ? { regions: promoted.regions, globalUrl: promoted.globalUrl ?? null }
    : {};
  if (!outcome) {
    const web = mode === "promote" ? webPlanLine(await project.environment(environment)) : undefined;
    ctx.output.result({ ok: true, dryRun: true, plan, ...(web ? { web } : {}) }, (data, style) =>
      [renderPlan(data.plan, style), ...(web ? [`  then (web)  ${web}`] : [])].join("\n"),
    );
    return ExitCode.ok;
  }
  if (!outcome.ok) {
    if (!ctx.output.json)
      for (const report of outcome.smoke)
        for (const line of renderSmoke(report, ctx.output.style)) ctx.output.info(line);
    throw outcomeError(outcome);
  }
  if (mode !== "promote") {
    ctx.output.result({ ok: true, plan, outcome, ...regions }, (data, style) =>
      renderOutcome(data.outcome, style),
    );
    return ExitCode.ok;
  }
  // The web front end follows the server it was gated with (only for `promote`).
  let web: WebFollowResult;
  try {
    web = await promoteWebAfterServer({
      project,
      platform,
      outcome,
      output: ctx.output,
      signal: ctx.signal,
      serverOnly,
      strictScan,
      ...(prepared ? { prepared } : {}),
    });
  } catch (error) {
    ctx.output.info(renderOutcome(outcome, ctx.output.style));
    throw error;
  }
  if (web) reached({ web: webSummary(web) });
  ctx.output.result({ ok: true, plan, outcome, ...(web ? { web: webSummary(web) } : {}) }, (data, style) =>
    [renderOutcome(data.outcome, style), ...(web ? [renderWeb(web)] : [])].join("\n"),
  );
  return ExitCode.ok;
}

function webSummary(web: NonNullable<WebFollowResult>): Record<string, unknown> {
  if ("skipped" in web) return { skipped: web.skipped };
  const { site, channel, url, version, clonedFrom, runtimeConfig, gate, mode, webDigest, pairedRevision } =
    web.promoted;
  return {
    site,
    channel,
    url,
    version,
    clonedFrom,
    serverUrl: runtimeConfig.serverUrl,
    gate: gate.ok,
    mode,
    ...(webDigest ? { webDigest } : {}),
    ...(pairedRevision ? { pairedRevision } : {}),
  };
}

function renderWeb(web: NonNullable<WebFollowResult>): string {
  if ("skipped" in web) return `web  not promoted: ${web.skipped}`;
  const result = web.promoted;
  const how = result.clonedFrom ? `cloned from ${result.clonedFrom}` : `${result.mode}: ${result.provenance}`;
  return `web  ${result.url ?? "(no URL)"} — ${result.version} ${how}, pair gate passed`;
}

/** What `promote` will do to the web front end after the server, for the dry-run plan. */
function webPlanLine(environment: LoadedEnvironment): string | undefined {
  const { name } = environment;
  const hosting = environment.config.hosting;
  const source = environment.config.promotesFrom;
  if (!hosting || !source) return undefined;
  const then = `pair-gate it against the promoted server, release on ${hosting.site}/${hosting.channel}`;
  if (hosting.mode === "template")
    return `substitute ${name}'s public values into the template ${source}'s pair gate passed (same digest), scan it, ${then}`;
  if (hosting.mode === "rebuild")
    return `rebuild for ${name}, prove it equal to ${source}'s gated build except for the public values, scan it, ${then}`;
  return `clone ${source}'s released web version (no rebuild), write ${name}'s /echogate.json, ${then}`;
}

/**
 * A build from uncommitted changes (`.dirty` in its version) going to production: no commit holds
 * its code, so the release can't be reproduced or reviewed. Warned, not refused: a hotfix may need it.
 */
export function dirtyBuildWarning(
  version: string,
  kind: string,
  mode: "deploy" | "promote",
): string | undefined {
  if (kind !== "production" || !/(?:^|[.+])dirty(?:[.+]|$)/.test(version)) return undefined;
  return `${version} was built from uncommitted changes (.dirty): no commit holds the code ${mode === "promote" ? "this promotion ships" : "this deploy ships"} to production, so it can't be reproduced or reviewed. Commit, rebuild through staging and promote that build.`;
}
