import { ApiError } from "../google-rest/api-error.js";
import type { ContainerSpec } from "../state-types.js";
import type { SecretStore } from "./store.js";

interface SecretKeyRef {
  secret?: unknown;
  version?: unknown;
}

/**
 * The values of a container's `env[].valueSource.secretKeyRef` entries, read from the emulator's
 * Secret Manager as Cloud Run does when it starts an instance; a missing or disabled version
 * fails the start with Cloud Run's kind of message.
 */
export function resolveSecretEnv(
  store: SecretStore,
  project: string,
  container: ContainerSpec,
): { ok: true; env: Record<string, string> } | { ok: false; message: string } {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    const ref = (entry as { valueSource?: { secretKeyRef?: SecretKeyRef } }).valueSource?.secretKeyRef;
    if (!ref || entry.value !== undefined) continue;
    const secret = String(ref.secret ?? "");
    const name = secret.startsWith("projects/") ? secret : `projects/${project}/secrets/${secret}`;
    const version = String(ref.version ?? "latest");
    try {
      env[entry.name] = Buffer.from(store.access(name, version).data, "base64").toString("utf8");
    } catch (error) {
      const reason = error instanceof ApiError ? error.message : String(error);
      return {
        ok: false,
        message: `Revision could not read secret ${name} version ${version} for env ${entry.name}: ${reason}`,
      };
    }
  }
  return { ok: true, env };
}
