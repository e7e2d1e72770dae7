import { loadEnvironment, loadEnvironments } from "../config/load-environments.js";
import { CheckFailedError, isEchogateError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { deployEnvironmentWeb } from "../hosting/deploy-environment-web.js";
import type { WebDeployResult } from "../hosting/web-deploy.js";
import { labelValue } from "./candidate-template.js";
import type { PromotionOutcome } from "./execute.js";

/** Nothing upstream to take: the web half can't follow (exit 1 unless --server-only). */
const NOTHING_TO_PROMOTE = new Set(["hosting.nothing-to-promote", "hosting.no-source"]);

export type WebFollowResult = { promoted: WebDeployResult } | { skipped: string } | undefined;

/**
 * After the server was promoted: clone the exact web version live upstream (no rebuild), write this
 * environment's runtime config, pair-gate it against the server just promoted, release. A failure
 * here leaves server traffic where it is (it passed its own gate) and says so (exit 1).
 */
export async function promoteWebAfterServer(input: {
  projectDir: string;
  outcome: PromotionOutcome;
  output: Output;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** `--server-only`: a release without the web half is intended; the web step does not run. */
  serverOnly?: boolean;
}): Promise<WebFollowResult> {
  const { outcome, output } = input;
  const environment = await loadEnvironment(input.projectDir, outcome.environment);
  const hosting = environment.config.hosting;
  if (!hosting || !outcome.url) return undefined;
  if (input.serverOnly) {
    output.warn(
      `Web front end of ${environment.name} left as it is (--server-only); run \`echogate promote ${environment.name}\` without it to promote the web half.`,
    );
    return { skipped: "--server-only" };
  }
  try {
    const { environments } = await loadEnvironments(input.projectDir);
    const result = await deployEnvironmentWeb({
      projectDir: input.projectDir,
      environment,
      environments,
      serverUrl: outcome.url,
      promote: true,
      labels: { "echogate-env": environment.name, "echogate-version": labelValue(outcome.version) },
      live: { pairRevision: outcome.revision },
      signal: input.signal,
      env: input.env,
      output,
    });
    return { promoted: result };
  } catch (error) {
    if (isEchogateError(error) && NOTHING_TO_PROMOTE.has(error.code)) {
      // The server half stands (it passed its gate); a half release is not a success: say how to finish.
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
    const message = error instanceof Error ? error.message : String(error);
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
