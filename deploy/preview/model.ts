// Plain data shared by preview deploy, list and cleanup.

export const MANAGED_BY = { key: "managed-by", value: "echogate" } as const;
export const LABEL = {
  preview: "echogate-preview",
  commit: "echogate-commit",
  creator: "echogate-creator",
  expires: "echogate-expires",
  owner: "echogate-owner",
} as const;
export const ANNOTATION = {
  branch: "echogate.dev/branch",
  version: "echogate.dev/version",
  gate: "echogate.dev/gate",
  webUrl: "echogate.dev/web-url",
} as const;

/** A Cloud Run service as preview code sees it. */
export interface PreviewService {
  /** Short service name. */
  name: string;
  uri?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createTime?: string;
}

/** A Hosting channel as preview code sees it. */
export interface PreviewChannel {
  id: string;
  url?: string;
  labels: Record<string, string>;
  createTime: string;
  expireTime?: string;
}

export type GateResult = "passed" | "failed" | "unknown";

/** One row of `preview list`. */
export interface PreviewRow {
  id: string;
  branch: string;
  service?: string;
  serviceUrl?: string;
  /** Hosting channel id, when the preview has one. */
  channel?: string;
  webUrl?: string;
  version?: string;
  gate: GateResult;
  createTime?: string;
  expireTime?: string;
  ageMs?: number;
  expired: boolean;
}

/** Label values: lowercase [a-z0-9_-], at most 63 characters (Cloud Run and Hosting alike). */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .slice(0, 63);
}
