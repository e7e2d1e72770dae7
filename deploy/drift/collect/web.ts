import type { HostingConfig } from "../../config/environment-schema.js";
import { messageOf } from "../../core/errors.js";
import type { Platform } from "../../platform/platform.js";
import type { WebFact } from "../facts.js";
import { PROBE_TIMEOUT_MS, probeWebConfig } from "./probe.js";

interface WebReaderOptions {
  platform: Platform;
  signal: AbortSignal;
  timeoutMs?: number;
}

interface WebReader {
  /**
   * The server URL an environment's web runtime config names. `ready` runs before the hosting API
   * is first used (the local emulator daemon serves Cloud Run and Hosting: start it once).
   */
  read(hosting: HostingConfig, origin: string | undefined, ready?: () => Promise<unknown>): Promise<WebFact>;
}

/**
 * Reads web runtime configs (`/echogate.json`), read-only: it looks channels up and never creates a
 * site or channel. A Firebase front end with a known origin is fetched there; otherwise (local
 * hosting, preview channels, `ECHOGATE_HOSTING_URL`) the hosting adapter says which URL serves the
 * channel. Every failure is a fact (`unreachable`/`error`), never an exception.
 */
export function webReader(options: WebReaderOptions): WebReader {
  const { platform, signal } = options;
  const { env } = platform;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;

  return {
    async read(hosting, origin, ready) {
      // A hosting API override (tests, the emulator) serves the sites, not their public origin.
      if (origin && !env.ECHOGATE_HOSTING_URL) return probeWebConfig(origin, signal, timeoutMs);
      const where = `sites/${hosting.site}/channels/${hosting.channel}`;
      try {
        if (hosting.provider === "local") await ready?.().catch(() => undefined);
        const connection = await platform.hosting(hosting);
        const channel = await withTimeout(
          connection.adapter.getChannel(hosting.site, hosting.channel),
          timeoutMs,
          `no answer from the hosting API within ${timeoutMs} ms`,
        );
        if (!channel) return { url: where, status: "error", detail: `${where} does not exist` };
        if (!channel.release)
          return { url: where, status: "error", detail: `nothing is released on ${where}` };
        const url = connection.channelUrl(hosting.site, hosting.channel, channel.url);
        if (!url) return { url: where, status: "error", detail: `the hosting API gives no URL for ${where}` };
        return await probeWebConfig(url, signal, timeoutMs);
      } catch (error) {
        return {
          url: where,
          status: "unreachable",
          detail: messageOf(error),
        };
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
