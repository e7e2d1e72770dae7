import type { LoadedEnvironment } from "../config/load-environments.js";
import { PlatformError } from "../core/errors.js";
import type { ProbeResult } from "../hosting/smoke-fn.js";
import { createCloudRunClients } from "../platform/cloudrun/clients.js";
import { resolveCloudRunTarget } from "../platform/cloudrun/target.js";
import { MANAGED_BY, type PreviewService } from "./model.js";

export interface PreviewServerRequest {
  environment: LoadedEnvironment;
  service: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  signal?: AbortSignal;
}

export interface PreviewServerResult {
  url: string;
  version?: string;
  revision?: string;
  /** The same smoke gate staging uses; traffic only moves on pass. */
  gate: ProbeResult;
}

/** What preview code needs from Cloud Run; the promote pipeline supplies `deployServer`. */
export interface PreviewPlatform {
  listServices(): Promise<PreviewService[]>;
  deleteService(name: string): Promise<void>;
  /** Records the web URL etc. on the service after the web half deployed. */
  annotateService(name: string, annotations: Record<string, string>): Promise<void>;
  deployServer(request: PreviewServerRequest): Promise<PreviewServerResult>;
  close(): Promise<void>;
}

type Factory = (
  environment: LoadedEnvironment,
  env: NodeJS.ProcessEnv,
) => PreviewPlatform | Promise<PreviewPlatform>;
let override: Factory | undefined;

/** Tests and benches swap the platform here (like a mock API client); production code never calls it. */
export function setPreviewPlatformFactory(factory: Factory | undefined): void {
  override = factory;
}

export async function createPreviewPlatform(
  projectDir: string,
  environment: LoadedEnvironment,
  env: NodeJS.ProcessEnv,
): Promise<PreviewPlatform> {
  return override ? override(environment, env) : cloudRunPreviewPlatform(projectDir, environment, env);
}

async function cloudRunPreviewPlatform(
  projectDir: string,
  environment: LoadedEnvironment,
  env: NodeJS.ProcessEnv,
): Promise<PreviewPlatform> {
  const service = environment.config.service;
  const clients = createCloudRunClients(await resolveCloudRunTarget(projectDir, service, env));
  const parent = `projects/${service.project}/locations/${service.regions[0]}`;
  const wrap = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      throw new PlatformError("preview.cloud-run", `Failed to ${what}: ${(error as Error).message}`, {
        hint: "Check Cloud Run access for this project (roles/run.admin) and retry.",
        cause: error,
      });
    }
  };
  return {
    listServices: () =>
      wrap(`list services in ${parent}`, async () => {
        const found: PreviewService[] = [];
        for await (const item of clients.services.listServicesAsync({ parent })) {
          const labels = (item.labels ?? {}) as Record<string, string>;
          if (labels[MANAGED_BY.key] !== MANAGED_BY.value) continue;
          const createTime = item.createTime?.seconds
            ? new Date(Number(item.createTime.seconds) * 1000).toISOString()
            : undefined;
          found.push({
            name: (item.name ?? "").split("/").at(-1)!,
            ...(item.uri ? { uri: item.uri } : {}),
            labels,
            annotations: (item.annotations ?? {}) as Record<string, string>,
            ...(createTime ? { createTime } : {}),
          });
        }
        return found;
      }),
    deleteService: (name) =>
      wrap(`delete service ${name}`, async () => {
        const [operation] = await clients.services.deleteService({ name: `${parent}/services/${name}` });
        await operation.promise();
      }),
    annotateService: (name, annotations) =>
      wrap(`annotate service ${name}`, async () => {
        const [current] = await clients.services.getService({ name: `${parent}/services/${name}` });
        const [operation] = await clients.services.updateService({
          service: { ...current, annotations: { ...(current.annotations ?? {}), ...annotations } },
        });
        await operation.promise();
      }),
    deployServer: async () => {
      // One call into deploy/promote (candidate at 0% + tag → smoke → traffic) once deployEnvironment
      // accepts a per-branch service name and labels; today it deploys only environment.config.service.name.
      throw new PlatformError(
        "preview.pipeline-missing",
        "Failed to deploy the preview server: the promote pipeline can't deploy a per-branch service yet.",
        {
          hint: "Deploy the server elsewhere and pass --server-url to pair and gate the preview web channel with it.",
        },
      );
    },
    close: () => clients.close(),
  };
}
