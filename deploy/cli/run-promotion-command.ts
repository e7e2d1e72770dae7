import { parseFault } from "../build/faults.js";
import { loadEnvironment } from "../config/load-environments.js";
import { ExitCode } from "../core/exit-codes.js";
import type { PreparedWeb } from "../hosting/web-deploy.js";
import { promoteEnvironment } from "../promote/promote-environment.js";
import { outcomeError } from "../promote/promotion-outcome.js";
import { renderOutcome, renderPlan, renderSmoke } from "../promote/report.js";
import {
  preflightWebPromotion,
  promoteWebAfterServer,
  type WebFollowResult,
} from "../promote/web-follows.js";
import type { CommandContext } from "./command.js";

/** Shared by `deploy` and `promote`: run the pipeline and report the plan or the outcome. */
export async function runPromotionCommand(ctx: CommandContext, mode: "deploy" | "promote"): Promise<number> {
  const environment = ctx.args.environment!;
  const dryRun = ctx.options["dry-run"] === true;
  const image = typeof ctx.options.image === "string" ? ctx.options.image : undefined;
  const version = typeof ctx.options.version === "string" ? ctx.options.version : undefined;
  const fault = parseFault(typeof ctx.options.fault === "string" ? ctx.options.fault : undefined);
  const serverOnly = ctx.options["server-only"] === true;
  // Before anything moves (after the plan validated the server half): the web half must be able
  // to follow, so a promotion is never half done.
  // Once per promotion: every region of a multi-region environment waits on the same check.
  let prepared: PreparedWeb | undefined;
  let preflight: Promise<void> | undefined;
  const beforeApply =
    mode === "promote" && !serverOnly
      ? () =>
          (preflight ??= preflightWebPromotion({
            projectDir: ctx.cwd,
            environment,
            output: ctx.output,
            env: ctx.env,
            signal: ctx.signal,
            strictScan: ctx.options.strict === true,
          }).then((result) => {
            prepared = result;
          }))
      : undefined;
  const promoted = await promoteEnvironment({
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
    ...(beforeApply ? { beforeApply } : {}),
  });
  const { plan, outcome } = promoted;
  // Multi-region environments report each region's outcome besides the one shown.
  const regions = promoted.regions
    ? { regions: promoted.regions, globalUrl: promoted.globalUrl ?? null }
    : {};
  if (!outcome) {
    const web = mode === "promote" ? await webPlanLine(ctx.cwd, environment) : undefined;
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
      projectDir: ctx.cwd,
      outcome,
      output: ctx.output,
      env: ctx.env,
      signal: ctx.signal,
      serverOnly,
      strictScan: ctx.options.strict === true,
      ...(prepared ? { prepared } : {}),
    });
  } catch (error) {
    ctx.output.info(renderOutcome(outcome, ctx.output.style));
    throw error;
  }
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
async function webPlanLine(projectDir: string, name: string): Promise<string | undefined> {
  const environment = await loadEnvironment(projectDir, name);
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
