import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { PassThroughClient } from "google-auth-library";
import { PlatformError } from "../../core/errors.js";
import { type CloudRunTarget, cloudRunErrorOf } from "../cloudrun/clients.js";
import { qualifiedSecretName, type SecretRef } from "./secret-ref.js";

type ClientOptions = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[0]>;

/**
 * The official Secret Manager v1 client over REST, like the Cloud Run clients: Google with
 * Application Default Credentials, or the emulator (same endpoint as its Cloud Run API) without auth.
 */
export function createSecretManagerClient(target: CloudRunTarget): SecretManagerServiceClient {
  if (target.kind === "google") return new SecretManagerServiceClient({ fallback: true });
  const url = new URL(target.apiEndpoint);
  return new SecretManagerServiceClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: "http",
    authClient: new PassThroughClient(),
  } as unknown as ClientOptions);
}

const MANAGED_BY = { "managed-by": "echogate" };
/** Label naming the service a managed secret belongs to, so deleting a preview deletes its secrets. */
const SECRET_SERVICE_LABEL = "echogate-service";

/**
 * Makes `value` the secret's version to pin: the latest version when it already holds exactly this
 * value (a re-run pins the same version, so the revision name stays the same), else a new one.
 */
export async function publishSecretValue(
  client: SecretManagerServiceClient,
  project: string,
  secretId: string,
  value: string,
  options: { dryRun?: boolean; service?: string } = {},
): Promise<SecretRef> {
  const name = qualifiedSecretName(secretId, project);
  try {
    await client.getSecret({ name });
  } catch (error) {
    if (statusOf(error) !== "NOT_FOUND") throw failure(error, `read secret ${name}`);
    // A dry run writes nothing but plans what the real run pins: a new secret starts at version 1.
    if (options.dryRun) return { secret: name, version: "1" };
    try {
      await client.createSecret({
        parent: `projects/${project}`,
        secretId,
        secret: {
          replication: { automatic: {} },
          labels: { ...MANAGED_BY, ...(options.service ? { [SECRET_SERVICE_LABEL]: options.service } : {}) },
        },
      });
    } catch (createError) {
      if (statusOf(createError) !== "ALREADY_EXISTS") throw failure(createError, `create secret ${name}`);
    }
  }
  const latest = await accessLatest(client, name);
  if (latest && latest.value === value) return { secret: name, version: latest.version };
  if (options.dryRun) return { secret: name, version: await nextVersionNumber(client, name) };
  try {
    const [version] = await client.addSecretVersion({
      parent: name,
      payload: { data: Buffer.from(value, "utf8") },
    });
    return { secret: name, version: versionNumberOf(version.name ?? "") };
  } catch (error) {
    throw failure(error, `add a version to secret ${name}`);
  }
}

/** Pins a reference written in an env file: `latest` becomes the version number it is now. */
export async function pinSecretRef(
  client: SecretManagerServiceClient,
  project: string,
  ref: SecretRef,
): Promise<SecretRef> {
  const name = qualifiedSecretName(ref.secret, project);
  try {
    const [version] = await client.getSecretVersion({ name: `${name}/versions/${ref.version}` });
    if (version.state && version.state !== "ENABLED") {
      throw new PlatformError(
        "secrets.version-disabled",
        `Can't pin ${name} version ${ref.version}: it is ${String(version.state).toLowerCase()}.`,
        { hint: "Enable the version, or reference another one in the env file." },
      );
    }
    return { secret: name, version: versionNumberOf(version.name ?? "") };
  } catch (error) {
    if (error instanceof PlatformError) throw error;
    throw failure(error, `read ${name} version ${ref.version}`);
  }
}

async function accessLatest(
  client: SecretManagerServiceClient,
  name: string,
): Promise<{ version: string; value: string } | undefined> {
  try {
    const [response] = await client.accessSecretVersion({ name: `${name}/versions/latest` });
    const data = response.payload?.data;
    const value =
      typeof data === "string"
        ? Buffer.from(data, "base64").toString("utf8")
        : Buffer.from(data ?? []).toString("utf8");
    return { version: versionNumberOf(response.name ?? ""), value };
  } catch (error) {
    const status = statusOf(error);
    // No version yet, or the latest one is disabled: a new version is added.
    if (status === "NOT_FOUND" || status === "FAILED_PRECONDITION") return undefined;
    throw failure(error, `read the latest version of ${name}`);
  }
}

/** Deletes the secrets echogate created for `service` (a deleted preview leaves none behind); returns their names. */
export async function deleteServiceSecrets(
  client: SecretManagerServiceClient,
  project: string,
  service: string,
): Promise<string[]> {
  try {
    const [secrets] = await client.listSecrets({ parent: `projects/${project}` });
    const owned = secrets.filter(
      (secret) =>
        secret.labels?.["managed-by"] === "echogate" && secret.labels?.[SECRET_SERVICE_LABEL] === service,
    );
    for (const secret of owned) await client.deleteSecret({ name: secret.name! });
    return owned.map((secret) => secret.name!);
  } catch (error) {
    throw failure(error, `delete the secrets of ${service}`);
  }
}

/** Versions are numbered 1, 2, … per secret: the one addSecretVersion would create next. */
async function nextVersionNumber(client: SecretManagerServiceClient, name: string): Promise<string> {
  try {
    const [versions] = await client.listSecretVersions({ parent: name });
    return String(Math.max(0, ...versions.map((v) => Number(versionNumberOf(v.name ?? "")) || 0)) + 1);
  } catch (error) {
    throw failure(error, `list the versions of ${name}`);
  }
}

function versionNumberOf(name: string): string {
  return name.split("/").at(-1) ?? "";
}

const STATUS_BY_CODE: Record<number, string> = {
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  9: "FAILED_PRECONDITION",
};

function statusOf(error: unknown): string | undefined {
  const parsed = cloudRunErrorOf(error);
  if (parsed?.status) return parsed.status;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? STATUS_BY_CODE[code] : undefined;
}

function failure(error: unknown, what: string): PlatformError {
  const parsed = cloudRunErrorOf(error);
  return new PlatformError(
    "secrets.api",
    `Failed to ${what}: ${parsed?.message ?? (error as Error).message}`,
    {
      hint: "The deployer needs roles/secretmanager.admin (or secretVersionAdder + viewer + secretAccessor) on the project.",
      cause: error,
    },
  );
}
