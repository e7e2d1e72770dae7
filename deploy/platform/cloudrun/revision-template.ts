import type { SecretRef } from "../secretmanager/secret-ref.js";
import type { IRevisionTemplate } from "./service-model.js";

/** A revision template as plain data: what echogate sets, nothing else. */
export interface CandidateTemplate {
  revision: string;
  image: string;
  /** With `secretRef`, the value comes from Secret Manager at that pinned version (`value` is unused). */
  env: { name: string; value: string; secretRef?: SecretRef }[];
  containerPort: number;
  cpu: string;
  memory: string;
  minInstances: number;
  maxInstances: number;
  concurrency: number;
  timeoutSeconds: number;
  sessionAffinity: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The plan's candidate template as a v2 RevisionTemplate, with the revision named by us. */
export function toRevisionTemplate(template: CandidateTemplate): IRevisionTemplate {
  return {
    revision: template.revision,
    labels: template.labels,
    annotations: template.annotations,
    scaling: {
      ...(template.minInstances > 0 ? { minInstanceCount: template.minInstances } : {}),
      maxInstanceCount: template.maxInstances,
    },
    timeout: { seconds: template.timeoutSeconds },
    maxInstanceRequestConcurrency: template.concurrency,
    sessionAffinity: template.sessionAffinity,
    containers: [
      {
        image: template.image,
        env: template.env.map((e) =>
          e.secretRef
            ? {
                name: e.name,
                valueSource: { secretKeyRef: { secret: e.secretRef.secret, version: e.secretRef.version } },
              }
            : { name: e.name, value: e.value },
        ),
        ports: [{ name: "http1", containerPort: template.containerPort }],
        resources: { limits: { cpu: template.cpu, memory: template.memory } },
      },
    ],
  };
}
