import { loadEnvironment, loadEnvironments } from "../config/load-environments.js";
import { CheckFailedError, isEchogateError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { deployEnvironmentWeb } from "../hosting/deploy-environment-web.js";
import type { WebDeployResult } from "../hosting/web-deploy.js";
import { labelValue } from "./candidate-template.js";
import type { PromotionOutcome } from "./execute.js";

/** Nothing upstream to clone: the web step is skipped with a warning, not failed. */
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
}): Promise<WebFollowResult> {
  const { outcome, output } = input;
  const environment = await loadEnvironment(input.projectDir, outcome.environment);
  const hosting = environment.config.hosting;
  if (!hosting || !outcome.url) return undefined;
  try {
    const { environments } = await loadEnvironments(input.projectDir);
    const result = await deployEnvironmentWeb({
      projectDir: input.projectDir,
      environment,
      environments,
      serverUrl: outcome.url,
      promote: true,
      labels: { "echogate-env": environment.name, "echogate-version": labelValue(outcome.version) },
      signal: input.signal,
      env: input.env,
      output,
    });
    return { promoted: result };
  } catch (error) {
    if (isEchogateError(error) && NOTHING_TO_PROMOTE.has(error.code)) {
      // The server half stands (it passed its gate); say how to finish the web half.
      const next = error.hint
        ? ` ${error.hint.replace(/\.$/, "")}, then run \`echogate promote ${environment.name}\` again.`
        : "";
      output.warn(`Web front end of ${environment.name} not promoted: ${error.message}${next}`);
      return { skipped: `${error.message}${next}` };
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
