import { loadEnvironment, loadEnvironments } from "../../config/load-environments.js";
import { ExitCode } from "../../core/exit-codes.js";
import { assertDeployable } from "../../envfiles/assert-deployable.js";
import { deployEnvironmentWeb } from "../../hosting/deploy-environment-web.js";
import { resolveServerUrl } from "../../hosting/server-url.js";
import type { WebDeployResult } from "../../hosting/web-deploy.js";
import type { CommandContext } from "../command.js";

export async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.args.env!;
  const environment = await loadEnvironment(ctx.cwd, name);
  const { environments } = await loadEnvironments(ctx.cwd);
  // The web build carries this environment's public values: they must pass check too.
  await assertDeployable(ctx.cwd, environment, {
    redactor: ctx.redactor,
    output: ctx.output,
    what: `${name}'s web front end`,
  });
  const explicitServer = ctx.options["server-url"] as string | undefined;
  const serverUrl = await resolveServerUrl(ctx.cwd, environment, explicitServer, ctx.env);
  const result = await deployEnvironmentWeb({
    projectDir: ctx.cwd,
    environment,
    environments,
    serverUrl,
    promote: environment.config.promotesFrom !== undefined && ctx.options.upload !== true,
    labels: { "echogate-env": name },
    // A server named by --server-url is not read from Cloud Run: the scan then knows URL shapes only.
    live: explicitServer === undefined,
    strictScan: ctx.options.strict === true,
    signal: ctx.signal,
    env: ctx.env,
    output: ctx.output,
  });
  ctx.output.result(result, renderResult);
  return ExitCode.ok;
}

export function renderResult(result: WebDeployResult): string {
  const how = result.clonedFrom
    ? `cloned from ${result.clonedFrom}`
    : `${result.uploaded} of ${result.total} files uploaded`;
  return [
    `${result.environment} web → ${result.url ?? "(no URL)"}`,
    `  version ${result.version} (${how})`,
    ...(result.provenance ? [`  build   ${result.mode}: ${result.provenance}`] : []),
    `  server  ${result.runtimeConfig.serverUrl} (pair gate passed)`,
    ...(result.pairedRevision ? [`  paired  with revision ${result.pairedRevision}`] : []),
  ].join("\n");
}
