import { ExitCode } from "../../core/exit-codes.js";
import { deployEnvironmentWeb } from "../../hosting/deploy-environment-web.js";
import { resolveServerUrl } from "../../hosting/server-url.js";
import type { WebDeployResult } from "../../hosting/web-deploy.js";
import { assertDeployable } from "../../project/assert-deployable.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { webDeployShape } from "../commands/preview.js";

export async function run(args: ArgsOf<typeof webDeployShape>, ctx: CommandContext): Promise<number> {
  const { project, platform } = ctx;
  const name = args.env;
  const environment = await project.environment(name);
  const { environments } = await project.environments();
  // The web build carries this environment's public values: they must pass check too.
  await assertDeployable(project, environment, { output: ctx.output, what: `${name}'s web front end` });
  const explicitServer = args.serverUrl;
  const serverUrl = await resolveServerUrl(platform, environment, explicitServer);
  const result = await deployEnvironmentWeb({
    project,
    platform,
    environment,
    environments,
    serverUrl,
    promote: environment.config.promotesFrom !== undefined && !args.upload,
    labels: { "echogate-env": name },
    // A server named by --server-url is not read from Cloud Run: the scan then knows URL shapes only.
    live: explicitServer === undefined,
    strictScan: args.strict,
    signal: ctx.signal,
    output: ctx.output,
  });
  ctx.output.result(result, renderResult);
  return ExitCode.ok;
}

function renderResult(result: WebDeployResult): string {
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
