import type { IService } from "./service-model.js";

// Fields of google.cloud.run.v2.Service a client may set; the rest are output only and are
// dropped so a read-modify-write never echoes status back to the API.
const WRITABLE_FIELDS = [
  "name",
  "description",
  "labels",
  "annotations",
  "client",
  "clientVersion",
  "ingress",
  "launchStage",
  "binaryAuthorization",
  "template",
  "traffic",
  "scaling",
  "invokerIamDisabled",
  "defaultUriDisabled",
  "customAudiences",
  "etag",
] as const satisfies readonly (keyof IService)[];

export function writableService(service: IService): IService {
  const out: Record<string, unknown> = {};
  for (const field of WRITABLE_FIELDS) {
    const value = service[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out as IService;
}
