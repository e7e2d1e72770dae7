import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { ConfigError } from "../core/errors.js";
import { isSecretReference, parseSecretReference } from "../envfiles/secret-reference.js";
import type { CloudRunTarget } from "../platform/cloudrun/clients.js";
import {
  createSecretManagerClient,
  pinSecretRef,
  publishSecretValue,
} from "../platform/secretmanager/client.js";
import { managedSecretId, type SecretRef } from "../platform/secretmanager/secret-ref.js";
import type { EnvVar } from "./candidate-template.js";

/**
 * Turns the env file's secret variables into Secret Manager references pinned to a version, so
 * the revision template (and anyone reading the service) never holds a secret value:
 * - a value is written as the latest version of the secret `<service>-<KEY>` (reused when equal);
 * - a reference (`secretmanager:<id>[:<version>]`) is pinned as written, `latest` as its number now.
 * A dry run writes nothing; it plans the version the real run would pin.
 */
export interface SecretEnv {
  apply(env: readonly EnvVar[], secretNames: ReadonlySet<string>): Promise<EnvVar[]>;
  close(): Promise<void>;
}

export function secretEnvFor(
  target: CloudRunTarget,
  environment: LoadedEnvironment,
  options: { dryRun?: boolean; file: string },
): SecretEnv {
  const { project, name: service } = environment.config.service;
  let client: SecretManagerServiceClient | undefined;
  const pinned = new Map<string, Promise<SecretRef>>();
  const refFor = (key: string, value: string): Promise<SecretRef> => {
    const cacheKey = `${key}\0${value}`;
    let ref = pinned.get(cacheKey);
    if (!ref) {
      ref = resolve(key, value);
      pinned.set(cacheKey, ref);
    }
    return ref;
  };
  const resolve = async (key: string, value: string): Promise<SecretRef> => {
    const written = isSecretReference(value) ? parseSecretReference(value) : undefined;
    if (isSecretReference(value) && !written) {
      throw new ConfigError(
        "secrets.bad-reference",
        `Can't read the Secret Manager reference in ${key} (${options.file}): write secretmanager:<id>[:<version>] or secretmanager:projects/<project>/secrets/<id>[:<version>].`,
        {
          location: { file: options.file, keyPath: key },
          hint: "The version is a number or latest; nothing was deployed.",
        },
      );
    }
    client ??= createSecretManagerClient(target);
    // A dry run only reads, and plans the version the real run would pin (the same revision name).
    return written
      ? pinSecretRef(client, project, written)
      : publishSecretValue(client, project, managedSecretId(service, key), value, {
          dryRun: options.dryRun,
          service,
        });
  };
  return {
    async apply(env, secretNames) {
      return Promise.all(
        env.map(async (entry) =>
          secretNames.has(entry.name)
            ? { name: entry.name, value: "", secretRef: await refFor(entry.name, entry.value) }
            : entry,
        ),
      );
    },
    async close() {
      await client?.close();
    },
  };
}
