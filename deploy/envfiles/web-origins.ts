import type { HostingConfig } from "../config/environment-schema.js";

export interface WebOrigins {
  /** Origins the CORS list must contain. */
  required: string[];
  /** Origins it should contain (served too, but rarely used). */
  recommended: string[];
  /** Origins known only as a pattern (Firebase preview channels). */
  patterns: { pattern: RegExp; example: string }[];
  /** True when the origin exists only after deploy (local hosting without `origins`). */
  deployTime: boolean;
}

/** The origins this environment's web front end is served from; undefined without hosting. */
export function webOriginsOf(hosting: HostingConfig | undefined): WebOrigins | undefined {
  if (!hosting) return undefined;
  const extra = hosting.origins ?? [];
  if (hosting.provider === "local") {
    return { required: extra, recommended: [], patterns: [], deployTime: extra.length === 0 };
  }
  const site = hosting.site;
  if (hosting.channel === "live") {
    return {
      required: [`https://${site}.web.app`, ...extra],
      recommended: [`https://${site}.firebaseapp.com`],
      patterns: [],
      deployTime: false,
    };
  }
  // Channel URLs carry a hash Firebase picks on first deploy: https://<site>--<channel>-<hash>.web.app
  return {
    required: extra,
    recommended: [],
    patterns: [
      {
        pattern: new RegExp(
          `^https://${escapeRegExp(site)}--${escapeRegExp(hosting.channel)}-[a-z0-9]+\\.web\\.app$`,
        ),
        example: `https://${site}--${hosting.channel}-<hash>.web.app`,
      },
    ],
    deployTime: false,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127\./.test(host) ||
    host === "::1" ||
    host === "0.0.0.0"
  );
}
