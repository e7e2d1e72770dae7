import { randomBytes } from "node:crypto";

/**
 * Which instance this process is: Cloud Run's instance id from the metadata server, the same
 * way Cloud Run offers it (`/computeMetadata/v1/instance/id`, header `Metadata-Flavor: Google`).
 * GCE_METADATA_HOST overrides the host (the emulator points it at its own metadata endpoint).
 * The metadata server is asked only on Cloud Run (K_SERVICE set) or when GCE_METADATA_HOST is
 * set, so a local run never looks up metadata.google.internal; otherwise, or when nothing
 * answers in time, a random per-process id stands in.
 */
export interface InstanceIdentity {
  id: string;
  source: "metadata" | "random";
}

type Env = Record<string, string | undefined>;

export const METADATA_TIMEOUT_MS = 1_000;

export function metadataUrl(env: Env): string {
  const host = env.GCE_METADATA_HOST?.trim() || "metadata.google.internal";
  return `http://${host}/computeMetadata/v1/instance/id`;
}

export function randomInstanceId(): string {
  return `local-${randomBytes(8).toString("hex")}`;
}

/** Fetched once at start; never throws. */
export async function resolveInstanceId(
  env: Env,
  timeoutMs: number = METADATA_TIMEOUT_MS,
): Promise<InstanceIdentity> {
  if (!env.K_SERVICE?.trim() && !env.GCE_METADATA_HOST?.trim()) {
    return { id: randomInstanceId(), source: "random" };
  }
  try {
    const response = await fetch(metadataUrl(env), {
      headers: { "Metadata-Flavor": "Google" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await response.text()).trim();
    // A proxy or captive page may answer too: only a plain short token counts as an id.
    if (response.ok && /^[\w.:-]{1,256}$/.test(text)) return { id: text, source: "metadata" };
  } catch {
    // No metadata server (local run, tests): fall through.
  }
  return { id: randomInstanceId(), source: "random" };
}
