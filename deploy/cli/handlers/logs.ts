import type { LoadedEnvironment } from "../../config/load-environments.js";
import { parseDuration } from "../../core/duration.js";
import { PlatformError, UsageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import type { Style } from "../../core/output.js";
import { followRevisionLogs, listRevisionLogs } from "../../platform/logs/cloud-logging.js";
import { emulatorLogDir, followEmulatorLogs, readEmulatorLogs } from "../../platform/logs/emulator-logs.js";
import type { LogEntry, LogQuery } from "../../platform/logs/log-entry.js";
import type { Platform } from "../../platform/platform.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { logsShape } from "../commands/logs.js";

export async function run(args: ArgsOf<typeof logsShape>, ctx: CommandContext): Promise<number> {
  const since = sinceOf(args.since);
  const environment = await ctx.project.environment(args.environment);
  const { service } = environment.config;
  const region = service.regions[0]!;
  const revision = args.revision ?? (await servingRevision(ctx.platform, environment, region));
  const query: LogQuery = { service: service.name, revision, since };
  const print = (entry: LogEntry) => ctx.output.record(entry, renderEntry);

  if (service.endpoint === "local") {
    if (args.follow) {
      ctx.output.info(
        `Following ${emulatorLogDir(ctx.project.dir)}/${service.name}__${revision}.log (Ctrl-C to stop)`,
      );
      await followEmulatorLogs(ctx.project.dir, query, print, ctx.signal);
      return ExitCode.ok;
    }
    const entries = await readEmulatorLogs(ctx.project.dir, query);
    return report(ctx, environment.name, service.name, revision, entries);
  }
  const google = { project: service.project, region, signal: ctx.signal, ...loggingOverride(ctx.env) };
  if (args.follow) {
    await followRevisionLogs(query, google, print);
    return ExitCode.ok;
  }
  const { entries } = await listRevisionLogs(query, google);
  return report(ctx, environment.name, service.name, revision, entries);
}

function report(
  ctx: CommandContext,
  environment: string,
  service: string,
  revision: string,
  entries: LogEntry[],
): number {
  ctx.output.result({ environment, service, revision, entries }, (data, style) =>
    data.entries.length === 0
      ? style.dim(`No log entries for ${data.revision}${ctx.output.json ? "" : " in this window"}.`)
      : data.entries.map((entry) => renderEntry(entry, style)).join("\n"),
  );
  return ExitCode.ok;
}

/** `2026-12-07T15:30:00.123Z ERROR text`: the time, the severity when it says more than DEFAULT, the line. */
function renderEntry(entry: LogEntry, style: Style): string {
  const severity =
    entry.severity === "DEFAULT" || entry.severity === "INFO"
      ? ""
      : ` ${/ERROR|CRITICAL|ALERT|EMERGENCY/.test(entry.severity) ? style.red(entry.severity) : style.yellow(entry.severity)}`;
  return `${style.dim(entry.timestamp ?? "-")}${severity} ${entry.text}`;
}

function sinceOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new UsageError(`Can't use --since ${text}: expected a duration like 90s, 10m, 2h or 1d.`);
  return new Date(Date.now() - seconds * 1000);
}

/** The revision serving the most traffic (the latest ready one when none is listed). */
async function servingRevision(
  platform: Platform,
  environment: LoadedEnvironment,
  region: string,
): Promise<string> {
  const { service } = environment.config;
  const adapter = await platform.cloudRun(service, region);
  const loaded = await adapter.getService(service.name);
  const serving = loaded?.snapshot.trafficStatuses
    .filter((status) => status.revision && status.percent > 0)
    .sort((a, b) => b.percent - a.percent)[0]?.revision;
  const revision = serving ?? loaded?.snapshot.latestReadyRevision;
  if (!revision)
    throw new PlatformError(
      "logs.no-revision",
      `Can't find a revision of ${service.name} in ${region}: ${loaded ? "none serves traffic" : "the service doesn't exist"}.`,
      { hint: `Deploy it first (\`echogate deploy ${environment.name}\`), or name one with --revision.` },
    );
  return revision;
}

/** Tests point the Logging API at a loopback fake (with a fixed token), as the emulator override does for Cloud Run. */
function loggingOverride(env: NodeJS.ProcessEnv): { baseUrl?: string; accessToken?: () => Promise<string> } {
  const baseUrl = env.ECHOGATE_LOGGING_ENDPOINT;
  if (!baseUrl) return {};
  return { baseUrl, accessToken: async () => "loopback-token" };
}
