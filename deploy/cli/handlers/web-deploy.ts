import { loadEnvironment, loadEnvironments } from "../../config/load-environments.js";
import { ExitCode } from "../../core/exit-codes.js";
import { connectHosting } from "../../hosting/connect.js";
import { resolveServerUrl } from "../../hosting/server-url.js";
import { smokeFor } from "../../hosting/smoke-fn.js";
import { deployWeb, type WebDeployResult } from "../../hosting/web-deploy.js";
import type { CommandContext } from "../command.js";
import { outputReporter } from "./web-reporter.js";

export async function run(ctx: CommandContext): Promise<number> {
  const name = ctx.args.env!;
  const environment = await loadEnvironment(ctx.cwd, name);
  const { environments } = await loadEnvironments(ctx.cwd);
  const serverUrl = await resolveServerUrl(
    ctx.cwd,
    environment,
    ctx.options["server-url"] as string | undefined,
    ctx.env,
  );
  const connection = await connectHosting(
    ctx.cwd,
    environment.config.hosting ?? { provider: "local", site: name, channel: "live", publicDir: "web/public" },
    ctx.env,
  );
  try {
    const result = await deployWeb({
      projectDir: ctx.cwd,
      environment,
      environments,
      adapter: connection.adapter,
      serverUrl,
      promote: environment.config.promotesFrom !== undefined && ctx.options.upload !== true,
      labels: { "echogate-env": name },
      smoke: smokeFor(environment),
      reporter: outputReporter(ctx.output),
      signal: ctx.signal,
      channelUrl: connection.channelUrl,
    });
    ctx.output.result(result, renderResult);
    return ExitCode.ok;
  } finally {
    await connection.close();
  }
}

export function renderResult(result: WebDeployResult): string {
  const how = result.clonedFrom
    ? `cloned from ${result.clonedFrom}`
    : `${result.uploaded} of ${result.total} files uploaded`;
  return [
    `${result.environment} web → ${result.url ?? "(no URL)"}`,
    `  version ${result.version} (${how})`,
    `  server  ${result.runtimeConfig.serverUrl} (pair gate passed)`,
  ].join("\n");
}
