import type { LoadedEnvironment } from "../config/load-environments.js";
import { CheckFailedError, ConfigError, firstLineOf, isEchogateError, messageOf } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { deployEnvironmentWeb } from "../hosting/deploy-environment-web.js";
import { readLiveServices } from "../hosting/live-services.js";
import { type PreparedWeb, prepareWebFiles, type WebDeployResult } from "../hosting/web-deploy.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { labelValue } from "./candidate-template.js";
import type { PromotionOutcome } from "./promotion-outcome.js";

/** Nothing upstream to take: the web half can't follow (exit 1 unless --server-only). */
const NOTHING_TO_PROMOTE = new Set(["hosting.nothing-to-promote", "hosting.no-source"]);

export type WebFollowResult = { promoted: WebDeployResult } | { skipped: string } | undefined;

/**
 * After the server was promoted: clone the exact web version live upstream (no rebuild), write this
 * environment's runtime config, pair-gate it against the server just promoted, release. A failure
 * here leaves server traffic where it is (it passed its own gate) and says so (exit 1).
 */
export async function promoteWebAfterServer(input: {
  project: Project;
  platform: Platform;
  outcome: PromotionOutcome;
  output: Output;
  signal: AbortSignal;
  /** `--server-only`: a promotion without the web half is intended; the web step does not run. */
  serverOnly?: boolean;
  /** The web files the preflight built and scanned. */
  prepared?: PreparedWeb;
  strictScan?: boolean;
}): Promise<WebFollowResult> {
  const { outcome, output } = input;
  const environment = await input.project.environment(outcome.environment);
  const hosting = environment.config.hosting;
  if (!hosting || !outcome.url) return undefined;
  if (input.serverOnly) {
    output.warn(
      `Web front end of ${environment.name} left as it is (--server-only); run \`echogate promote ${environment.name}\` without it to promote the web half.`,
    );
    return { skipped: "--server-only" };
  }
  try {
    const { environments } = await input.project.environments();
    const result = await deployEnvironmentWeb({
      project: input.project,
      platform: input.platform,
      environment,
      environments,
      serverUrl: outcome.url,
      promote: true,
      labels: { "echogate-env": environment.name, "echogate-version": labelValue(outcome.version) },
      live: { pairRevision: outcome.revision },
      strictScan: input.strictScan === true,
      ...(input.prepared ? { prepared: input.prepared } : {}),
      signal: input.signal,
      output,
    });
    return { promoted: result };
  } catch (error) {
    if (isEchogateError(error) && NOTHING_TO_PROMOTE.has(error.code)) {
      // The server half stands (it passed its gate); a half promotion is not a success: say how to finish.
      const next = error.hint
        ? `${error.hint.replace(/\.$/, "")}, then run \`echogate promote ${environment.name}\` again`
        : `Run \`echogate promote ${environment.name}\` again once the web front end can follow`;
      throw new CheckFailedError(
        "promote.web-not-promoted",
        `Promoted ${outcome.version} to ${environment.name}'s server, but its web front end can't follow: ${error.message}`,
        {
          hint: `${next} (only the web step runs again). Pass --server-only if a server-only release is intended.`,
          details: {
            server: { result: outcome.result, revision: outcome.revision, url: outcome.url },
            web: { code: error.code, message: error.message },
          },
          cause: error,
        },
      );
    }
    const message = messageOf(error);
    throw new CheckFailedError(
      "promote.web-failed",
      `Promoted ${outcome.version} to ${environment.name}'s server, but failed to promote its web front end: ${message}`,
      {
        hint: `Server traffic stays on ${outcome.revision} (it passed its own gate). Fix the cause and re-run \`echogate promote ${environment.name}\`: the server is already serving, so only the web step runs again.`,
        details: {
          server: { result: outcome.result, revision: outcome.revision, url: outcome.url },
          web: isEchogateError(error) ? { code: error.code, message, hint: error.hint } : { message },
        },
        cause: error,
      },
    );
  }
}

/**
 * Before the server moves: can the web half follow? Upstream must have a web release, and a
 * build-time front end is built (or taken from the template) for this environment's server and
 * scanned now, so a build carrying another environment's server refuses the whole promotion with
 * nothing changed. Undefined when there is nothing to check (no hosting, or a first deploy whose
 * server URL does not exist yet: then the web step after the server checks it).
 */
export async function preflightWebPromotion(input: {
  project: Project;
  platform: Platform;
  environment: string;
  output: Output;
  signal: AbortSignal;
  strictScan?: boolean;
}): Promise<PreparedWeb | undefined> {
  const environment = await input.project.environment(input.environment);
  const hosting = environment.config.hosting;
  if (!hosting || !environment.config.promotesFrom) return undefined;
  const { environments } = await input.project.environments();
  try {
    if (hosting.mode === "runtime-config") {
      await assertUpstreamReleased(input.platform, environments, environment.config.promotesFrom);
      return undefined;
    }
    const live = await readLiveServices(input.platform, environments);
    const serverUrl = live.services.find((service) => service.environment === environment.name)?.url;
    if (!serverUrl) return undefined;
    return await input.output.run(
      `Web preflight: build and scan ${environment.name}'s front end`,
      () =>
        prepareWebFiles({
          project: input.project,
          platform: input.platform,
          environment,
          environments,
          serverUrl,
          promote: true,
          live,
          strictScan: input.strictScan === true,
          signal: input.signal,
          output: input.output,
        }),
      { done: (prepared) => `${prepared.files.length} files ready`, failed: firstLineOf },
    );
  } catch (error) {
    if (!isEchogateError(error)) throw error;
    const nothing = NOTHING_TO_PROMOTE.has(error.code);
    throw new CheckFailedError(
      "promote.web-cannot-follow",
      `Can't promote ${environment.name}: its web front end can't follow (${error.message.replace(/\.$/, "")}). Nothing was changed.`,
      {
        hint: nothing
          ? `${(error.hint ?? "Deploy the upstream web front end first").replace(/\.$/, "")}, then promote again; or pass --server-only to promote the server alone.`
          : (error.hint ??
            "Fix the web build, then promote again; or pass --server-only to promote the server alone."),
        ...(error.location ? { location: error.location } : {}),
        details: { web: { code: error.code, message: error.message, details: error.details } },
        cause: error,
      },
    );
  }
}

async function assertUpstreamReleased(
  platform: Platform,
  environments: readonly LoadedEnvironment[],
  upstream: string,
): Promise<void> {
  const source = environments.find((environment) => environment.name === upstream);
  const hosting = source?.config.hosting;
  if (!hosting) return; // web-follows reports a missing upstream hosting section itself
  const connection = await platform.hosting(hosting);
  const channel = await connection.adapter.getChannel(hosting.site, hosting.channel);
  if (!channel?.release?.version.name)
    throw new ConfigError(
      "hosting.nothing-to-promote",
      `${upstream} has no web release on channel ${hosting.channel}`,
      { hint: `Run \`echogate web deploy ${upstream}\` first` },
    );
}
