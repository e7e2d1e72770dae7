import { fanOutWarning } from "../../config/fan-out-proof.js";
import { type LoadedEnvironment, smokeSpecOf } from "../../config/load-environments.js";
import { defaultSmokeSpec, type SmokeSpec } from "../../config/smoke-spec.js";
import { CheckFailedError, isEchogateError, UsageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { checkReportTarget, JUNIT_REPORT, writeReportFile } from "../../core/report-target.js";
import { renderJunit } from "../../smoke/junit.js";
import { loadSmokeSpecFile } from "../../smoke/load-spec.js";
import { smokePhase, smokeProgressEvent } from "../../smoke/progress-event.js";
import { renderSmokeReport } from "../../smoke/render-smoke-report.js";
import type { SmokeProgress, SmokeResult } from "../../smoke/result.js";
import { runSmoke } from "../../smoke/run-smoke.js";
import { parseServiceUrl, urlSecrets } from "../../smoke/service-url.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { smokeShape } from "../commands/smoke.js";
import { withHtmlReport } from "../html-report.js";
import { type LiveService, resolveLiveService } from "../resolve-service-url.js";

export function run(args: ArgsOf<typeof smokeShape>, ctx: CommandContext): Promise<number> {
  const command = ["echogate smoke", args.url ?? (args.env ? `--env ${args.env}` : "")].join(" ").trim();
  return withHtmlReport(args.report, ctx, command, { kind: "smoke" }, (report) =>
    smoke(args, ctx, (result) => {
      report.result = result;
    }),
  );
}

async function smoke(
  args: ArgsOf<typeof smokeShape>,
  ctx: CommandContext,
  reached: (result: SmokeResult) => void,
): Promise<number> {
  const rawUrl = args.url;
  // Before anything can print the URL: its credentials must be masked everywhere.
  for (const secret of urlSecrets(rawUrl ?? "")) ctx.redactor.add(secret);
  const options = {
    expectVersion: nonEmpty(args.expectVersion, "expect-version"),
    expectRevision: nonEmpty(args.expectRevision, "expect-revision"),
    spec: nonEmpty(args.spec, "spec"),
    env: nonEmpty(args.env, "env"),
    junit: nonEmpty(args.junit, "junit"),
  };
  const junit = options.junit ? await checkReportTarget(JUNIT_REPORT, ctx.cwd, options.junit) : undefined;

  const environment = options.env ? await ctx.project.environment(options.env) : undefined;
  const spec = withHealthBudget(
    await chooseSpec(ctx, options.spec, environment),
    timeoutOption(nonEmpty(args.timeout, "timeout")),
  );
  const live = rawUrl === undefined ? await liveServiceFor(ctx, environment) : undefined;
  const url = rawUrl ?? live!.url;
  parseServiceUrl(url);
  // The live service's own gate record says what it must report, unless the flags say otherwise.
  if (live?.gated && options.expectVersion === undefined && options.expectRevision === undefined) {
    options.expectVersion = live.gated.version;
    options.expectRevision = live.gated.revision;
    ctx.output.info(`expecting ${live.gated.version} on ${live.gated.revision} (serving 100%, gate passed)`);
  }
  const fanOut = fanOutWarning(spec);
  if (fanOut) ctx.output.warn(fanOut);
  if (options.expectVersion === undefined) {
    ctx.output.warn("no --expect-version: /health's version is reported, not checked");
  }

  let result: Awaited<ReturnType<typeof runSmoke>>;
  const step = ctx.output.step(`Smoke ${url}`);
  try {
    result = await runSmoke(url, spec, {
      ...(options.expectVersion !== undefined ? { expectVersion: options.expectVersion } : {}),
      ...(options.expectRevision !== undefined ? { expectRevision: options.expectRevision } : {}),
      signal: ctx.signal,
      onProgress: (event) => {
        report(ctx, event);
        step.update(smokePhase(event));
      },
      // An environment that may run several instances is proven across two of them, as the gate does.
      ...((environment?.config.service.maxInstances ?? 1) > 1 ? { fanOut: "instances" as const } : {}),
    });
  } catch (error) {
    if (ctx.signal.aborted && !isEchogateError(error)) {
      throw new CheckFailedError(
        "smoke.interrupted",
        "The smoke test was interrupted; the gate did not pass.",
        {
          hint: "Run it again to completion before moving traffic.",
        },
      );
    }
    throw error;
  }
  reached(result);
  const failed = result.checks.filter((check) => check.status === "failed").map((check) => check.name);
  if (result.ok) step.done(`${result.checks.length} checks passed`);
  else step.fail(`failed: ${failed.join(", ")}`);
  if (junit) await writeReportFile(junit, ctx.redactor.redact(renderJunit(result)));
  ctx.output.result(result, renderSmokeReport);
  return result.ok ? ExitCode.ok : ExitCode.checkFailed;
}

async function chooseSpec(
  ctx: CommandContext,
  specFile: string | undefined,
  environment: LoadedEnvironment | undefined,
): Promise<SmokeSpec> {
  if (specFile) return loadSmokeSpecFile(ctx.cwd, specFile);
  return environment ? smokeSpecOf(environment) : defaultSmokeSpec();
}

async function liveServiceFor(
  ctx: CommandContext,
  environment: LoadedEnvironment | undefined,
): Promise<LiveService> {
  if (!environment) {
    throw new UsageError("Missing the service URL.", {
      hint: "Usage: echogate smoke <url> [--expect-version <v>], or --env <name> for an environment's live URL.",
    });
  }
  const live = await resolveLiveService(ctx.platform, environment);
  for (const secret of urlSecrets(live.url)) ctx.redactor.add(secret);
  return live;
}

function report(ctx: CommandContext, progress: SmokeProgress): void {
  ctx.output.event(smokeProgressEvent(progress));
  if (progress.type === "health.retry") {
    ctx.output.info(
      `health: ${progress.error}; retrying in ${progress.delayMs} ms (attempt ${progress.attempt + 1})`,
    );
  }
}

/** `--spec=` is a mistake, not "no spec". */
function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === "") {
    throw new UsageError(`--${name} needs a value.`, { hint: "Run `echogate smoke --help`." });
  }
  return value;
}

/** An hour: longer than any cold start; beyond it a gate is waiting for nothing. */
const MAX_TIMEOUT_MS = 3_600_000;

function timeoutOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS)
    throw new UsageError(
      `Can't use --timeout ${raw}: expected whole milliseconds from 1 to ${MAX_TIMEOUT_MS}.`,
      {
        hint: "For example --timeout 5000 gives /health five seconds to answer.",
      },
    );
  return ms;
}

function withHealthBudget(spec: SmokeSpec, timeoutMs: number | undefined): SmokeSpec {
  return timeoutMs === undefined ? spec : { ...spec, health: { ...spec.health, timeoutMs } };
}
