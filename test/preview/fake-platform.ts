import { onTestFinished } from "vitest";
import { ANNOTATION, LABEL, MANAGED_BY, type PreviewService } from "../../deploy/preview/model.js";
import { type PreviewServices, setPreviewServicesFactory } from "../../deploy/preview/preview-services.js";

/**
 * In-memory Cloud Run services for preview code, installed for the calling test only;
 * `failDelete` names services whose delete fails.
 */
export function fakePlatform(
  services: PreviewService[],
  options: { failDelete?: string[] } = {},
): PreviewServices & { services: PreviewService[]; deleted: string[] } {
  const deleted: string[] = [];
  const platform = {
    services,
    deleted,
    listServices: async () => services.map((service) => ({ ...service })),
    deleteService: async (name: string) => {
      if (options.failDelete?.includes(name)) throw new Error(`permission denied on ${name}`);
      const index = services.findIndex((service) => service.name === name);
      if (index === -1) throw new Error(`${name} not found`);
      services.splice(index, 1);
      deleted.push(name);
    },
    annotateService: async (name: string, annotations: Record<string, string>) => {
      const service = services.find((candidate) => candidate.name === name);
      if (service) Object.assign(service.annotations, annotations);
    },
    deployServer: async () => {
      throw new Error("not used");
    },
  };
  setPreviewServicesFactory(() => platform);
  onTestFinished(() => setPreviewServicesFactory(undefined));
  return platform;
}

export function previewService(
  id: string,
  branch: string,
  createTime: Date,
  extra: Partial<PreviewService> = {},
): PreviewService {
  return {
    name: `chat-preview-${id}`,
    uri: `https://chat-preview-${id}-xyz.a.run.app`,
    labels: { [MANAGED_BY.key]: MANAGED_BY.value, [LABEL.preview]: id },
    annotations: {
      [ANNOTATION.branch]: branch,
      [ANNOTATION.gate]: "passed",
      [ANNOTATION.version]: "0.1.0+abc1234",
    },
    createTime: createTime.toISOString(),
    ...extra,
  };
}
