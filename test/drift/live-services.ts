import type { protos } from "@google-cloud/run";
import type { CloudRunClients } from "../../deploy/platform/cloudrun/clients.js";

export const PROJECT = "demo-project";
export const REGION = "europe-west1";
export const VERSION = "0.1.0+test";

export interface LiveServiceSpec {
  image: string;
  digest: string;
  env?: Record<string, string>;
  args?: string[];
  timeoutS?: number;
  sessionAffinity?: boolean;
  maxInstances?: number;
  /** Record a passed gate for the revision (as the promote pipeline does). */
  gate?: boolean;
  region?: string;
}

/** Creates a service straight through the ServicesClient, shaped like one echogate deployed. */
export async function createLiveService(
  clients: CloudRunClients,
  name: string,
  spec: LiveServiceSpec,
): Promise<void> {
  const revision = `${name}-v1`;
  const gates =
    spec.gate === false
      ? []
      : [{ revision, version: VERSION, digest: spec.digest, result: "passed", at: "2025-06-12T23:00:00Z" }];
  const service: protos.google.cloud.run.v2.IService = {
    annotations: gates.length > 0 ? { "echogate.dev/gates": JSON.stringify(gates) } : {},
    template: {
      revision,
      annotations: { "echogate.dev/version": VERSION, "echogate.dev/digest": spec.digest },
      containers: [
        {
          image: spec.image,
          ...(spec.args ? { args: spec.args } : {}),
          env: Object.entries(
            spec.env ?? { LOG_LEVEL: "info", SESSION_SECRET: "do-not-print-this-secret" },
          ).map(([key, value]) => ({ name: key, value })),
          ports: [{ containerPort: 8080 }],
          resources: { limits: { cpu: "1", memory: "512Mi" } },
        },
      ],
      timeout: { seconds: spec.timeoutS ?? 3600 },
      sessionAffinity: spec.sessionAffinity ?? true,
      scaling: { maxInstanceCount: spec.maxInstances ?? 1 },
      maxInstanceRequestConcurrency: 80,
    },
  };
  const [operation] = await clients.services.createService({
    parent: `projects/${PROJECT}/locations/${spec.region ?? REGION}`,
    serviceId: name,
    service,
  });
  await operation.promise();
  // Deployed outside echogate and public, like `gcloud run deploy --allow-unauthenticated`.
  const resource = `projects/${PROJECT}/locations/${spec.region ?? REGION}/services/${name}`;
  const [policy] = await clients.services.getIamPolicy({ resource });
  await clients.services.setIamPolicy({
    resource,
    policy: { ...policy, bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] },
  });
}
