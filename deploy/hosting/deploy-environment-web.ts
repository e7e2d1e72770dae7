import type { Output } from "../core/output.js";
import { connectHosting } from "./connect.js";
import { outputReporter } from "./output-reporter.js";
import { smokeFor } from "./smoke-fn.js";
import { deployWeb, type WebDeployInput, type WebDeployResult } from "./web-deploy.js";

export type EnvironmentWebInput = Omit<WebDeployInput, "adapter" | "smoke" | "reporter" | "channelUrl"> & {
  env: NodeJS.ProcessEnv;
  output: Output;
};

/**
 * `deployWeb` for one environment over its own hosting connection, pair-gated with the
 * environment's smoke spec and reporting on the command's output.
 */
export async function deployEnvironmentWeb(input: EnvironmentWebInput): Promise<WebDeployResult> {
  const { env, output, ...web } = input;
  // Without hosting, deployWeb refuses with its own error; the emulator serves as a stand-in to get there.
  const hosting = web.environment.config.hosting ?? {
    provider: "local" as const,
    site: web.environment.name,
    channel: "live",
    publicDir: "web/public",
  };
  const connection = await connectHosting(web.projectDir, hosting, env);
  try {
    return await deployWeb({
      ...web,
      adapter: connection.adapter,
      smoke: smokeFor(web.environment),
      reporter: outputReporter(output),
      channelUrl: connection.channelUrl,
    });
  } finally {
    await connection.close();
  }
}
