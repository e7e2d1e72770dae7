import { readLiveServices } from "./live-services.js";
import { pairSmokeFor } from "./pair-smoke.js";
import { deployWeb, type WebDeployInput, type WebDeployResult } from "./web-deploy.js";

type EnvironmentWebInput = Omit<
  WebDeployInput,
  "adapter" | "smoke" | "channelUrl" | "live" | "pairRevision"
> & {
  /**
   * Read every environment's live service from Cloud Run (scan facts, upstream web pairs) and pair
   * the release with this revision, or with the serving one when true. False: --server-url.
   */
  live: boolean | { pairRevision: string };
};

/**
 * `deployWeb` for one environment over its own hosting connection, pair-gated with the
 * environment's smoke spec and reporting on the command's output.
 */
export async function deployEnvironmentWeb(input: EnvironmentWebInput): Promise<WebDeployResult> {
  const { output, live: readLive, ...web } = input;
  // Without hosting, deployWeb refuses with its own error; the emulator serves as a stand-in to get there.
  const hosting = web.environment.config.hosting ?? {
    provider: "local" as const,
    site: web.environment.name,
    channel: "live",
    publicDir: "web/public",
  };
  let live: WebDeployInput["live"];
  let pairRevision: string | undefined;
  if (readLive !== false) {
    const step = output.step("read every environment's live servers");
    live = await readLiveServices(web.platform, web.environments);
    for (const unreadable of live.unreadable)
      output.warn(
        `Couldn't read ${unreadable.environment}'s service (${unreadable.message}); the bundle scan checks its Cloud Run URL shapes only.`,
      );
    const own = live.services.find((service) => service.environment === web.environment.name);
    pairRevision = typeof readLive === "object" ? readLive.pairRevision : own?.servingRevision;
    step.done(
      `${live.services.filter((service) => service.url).length} live of ${live.services.length} environment(s)`,
    );
  }
  const connection = await web.platform.hosting(hosting);
  return deployWeb({
    ...web,
    adapter: connection.adapter,
    smoke: pairSmokeFor(web.environment),
    output,
    channelUrl: connection.channelUrl,
    ...(live ? { live } : {}),
    ...(pairRevision ? { pairRevision } : {}),
  });
}
