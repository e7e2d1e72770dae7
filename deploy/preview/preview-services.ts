import type { LoadedEnvironment } from "../config/load-environments.js";
import type { Output } from "../core/output.js";
import type { ChannelSpec } from "../hosting/publish.js";
import type { CloudRunTarget } from "../platform/cloudrun/clients.js";
import type { Platform } from "../platform/platform.js";
import { createSecretManagerClient, deleteServiceSecrets } from "../platform/secretmanager/client.js";
import type { Project } from "../project/project.js";
import { deployEnvironment } from "../promote/promote-environment.js";
import type { GateReport } from "../smoke/result.js";
import { MANAGED_BY, type PreviewService } from "./model.js";
import { serverResultOf } from "./server-result.js";

interface PreviewServerRequest {
  environment: LoadedEnvironment;
  service: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The branch's web channel: its URL is the origin the server must allow. */
  webChannel?: ChannelSpec;
  /** Deploy this pushed image (`REGISTRY/…@sha256:…`) instead of building. */
  image?: string;
  output: Output;
  signal?: AbortSignal;
}

export interface PreviewServerResult {
  url: string;
  version?: string;
  revision?: string;
  /** The same smoke gate staging uses; traffic only moves on pass. */
  gate: GateReport;
}

/** What preview code needs from Cloud Run; `deployServer` is the promote pipeline. */
export interface PreviewServices {
  listServices(): Promise<PreviewService[]>;
  deleteService(name: string): Promise<void>;
  /** Records the web URL etc. on the service after the web half deployed. */
  annotateService(name: string, annotations: Record<string, string>): Promise<void>;
  deployServer(request: PreviewServerRequest): Promise<PreviewServerResult>;
}

type Factory = (
  environment: LoadedEnvironment,
  env: NodeJS.ProcessEnv,
) => PreviewServices | Promise<PreviewServices>;
let override: Factory | undefined;

/** Tests and benches swap the platform here (like a mock API client); production code never calls it. */
export function setPreviewServicesFactory(factory: Factory | undefined): void {
  override = factory;
}

export async function createPreviewServices(
  project: Project,
  platform: Platform,
  environment: LoadedEnvironment,
): Promise<PreviewServices> {
  return override
    ? override(environment, platform.env)
    : cloudRunPreviewServices(project, platform, environment);
}

/** The Secret Manager secrets deploy created for a preview's secret variables go with its service. */
async function deletePreviewSecrets(target: CloudRunTarget, project: string, service: string): Promise<void> {
  const client = createSecretManagerClient(target);
  try {
    await deleteServiceSecrets(client, project, service);
  } finally {
    await client.close();
  }
}

/**
 * Previews over the one Cloud Run adapter; the server half is `deployEnvironment` on a per-branch
 * service. A service per branch rather than a tag on one shared service: it runs the same gate as
 * staging unchanged (candidate tag, shift, smoke on the service URL, rollback), carries its own
 * labels and expiry, never contends for one service's lock or revision list, and cleanup is one delete.
 */
async function cloudRunPreviewServices(
  project: Project,
  platform: Platform,
  environment: LoadedEnvironment,
): Promise<PreviewServices> {
  const { service } = environment.config;
  const target = await platform.cloudRunTarget(service.endpoint);
  const adapter = await platform.cloudRunAt(target, {
    project: service.project,
    region: service.regions[0]!,
  });
  return {
    listServices: async () =>
      (await adapter.listServices())
        .filter((service) => service.labels[MANAGED_BY.key] === MANAGED_BY.value)
        .map((service) => ({
          name: service.name,
          ...(service.uri ? { uri: service.uri } : {}),
          labels: service.labels,
          annotations: service.annotations,
          ...(service.createTime ? { createTime: service.createTime } : {}),
        })),
    deleteService: async (name) => {
      await adapter.deleteService(name);
      await deletePreviewSecrets(target, environment.config.service.project, name);
    },
    annotateService: async (name, annotations) => {
      await adapter.mutateService(name, (raw) => {
        raw.annotations = { ...(raw.annotations ?? {}), ...annotations };
        return raw;
      });
    },
    deployServer: async (request) => {
      const { outcome } = await deployEnvironment({
        project,
        platform,
        environment: request.environment.name,
        preview: {
          serviceName: request.service,
          labels: request.labels,
          annotations: request.annotations,
          ...(request.webChannel ? { webChannel: request.webChannel } : {}),
        },
        ...(request.image ? { image: request.image } : {}),
        output: request.output,
        signal: request.signal ?? new AbortController().signal,
        command: `echogate preview deploy (${request.service})`,
      });
      // An unchanged build is "already serving": nothing was written, so renew the expiry here.
      if (outcome?.result === "already-serving") {
        await adapter.mutateService(request.service, (raw) => {
          raw.labels = { ...(raw.labels ?? {}), ...request.labels };
          raw.annotations = { ...(raw.annotations ?? {}), ...request.annotations };
          return raw;
        });
      }
      return serverResultOf(outcome!);
    },
  };
}
