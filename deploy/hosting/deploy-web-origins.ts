import type { LoadedEnvironment } from "../config/load-environments.js";
import { webOriginsOf } from "../envfiles/web-origins.js";
import type { Platform } from "../platform/platform.js";
import { type ChannelSpec, ensureChannel } from "./publish.js";

interface DeployWebOriginsInput {
  platform: Platform;
  environment: LoadedEnvironment;
  /** The channel the web build goes to; defaults to the environment's `hosting` channel (previews pass theirs). */
  channel?: ChannelSpec;
  /** Create the channel when it does not exist yet (false for --dry-run: nothing may change). */
  create: boolean;
}

/**
 * The origins `${WEB_ORIGIN}` stands for when the server deploys: the configured ones, plus the
 * channel's own URL when only the hosting API knows it (local hosting, Firebase preview channels,
 * whose URL carries a hash picked on creation). Creating the channel first is what makes its URL
 * known before the web build exists, so the server's CORS list can name it.
 */
export async function resolveDeployWebOrigins(input: DeployWebOriginsInput): Promise<string[]> {
  const hosting = input.environment.config.hosting;
  const known = webOriginsOf(hosting);
  if (!hosting || !known) return [];
  const channelOnlyKnownByApi = known.deployTime || known.patterns.length > 0 || input.channel !== undefined;
  if (!channelOnlyKnownByApi) return known.required;

  const spec = input.channel ?? { site: hosting.site, channel: hosting.channel };
  const connection = await input.platform.hosting(hosting);
  const channel = input.create
    ? await ensureChannel(connection.adapter, spec)
    : await connection.adapter.getChannel(spec.site, spec.channel);
  const url = connection.channelUrl(spec.site, spec.channel, channel?.url);
  return [...new Set([...known.required, ...(url ? [new URL(url).origin] : [])])];
}
