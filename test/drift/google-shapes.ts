import type { IService } from "../../deploy/platform/cloudrun/service-model.js";

// A service as Cloud Run itself answers it (v2 REST): a LATEST traffic status without a revision
// name, two URLs, and the server's defaults filled into the template (startup probe, cpuIdle,
// the default compute service account).

const NAME = "projects/demo-project/locations/europe-west1/services/chat";
const LATEST = `${NAME}/revisions/chat-00002-xyz`;

const container = {
  image: `europe-docker.pkg.dev/demo-project/app/chat@sha256:${"a".repeat(64)}`,
  env: [{ name: "GREETING", value: "hi" }],
  ports: [{ name: "http1", containerPort: 8080 }],
  resources: { limits: { cpu: "1000m", memory: "512Mi" } },
};

/** The same service as the emulator used to answer it: a named LATEST status, no filled defaults. */
export function emulatorShapedService(): IService {
  return {
    name: NAME,
    uri: "http://127.0.0.1:40001",
    urls: ["http://127.0.0.1:40001"],
    template: {
      containers: [container],
      maxInstanceRequestConcurrency: 80,
      timeout: "300s",
      scaling: { maxInstanceCount: 100 },
    },
    traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
    trafficStatuses: [
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", revision: "chat-00002-xyz", percent: 100 },
    ],
    latestReadyRevision: LATEST,
    latestCreatedRevision: LATEST,
  } as unknown as IService;
}

export function googleShapedService(): IService {
  const base = emulatorShapedService() as Record<string, unknown>;
  return {
    ...base,
    uri: "https://chat-abcdefghij-ew.a.run.app",
    urls: ["https://chat-123456789012.europe-west1.run.app", "https://chat-abcdefghij-ew.a.run.app"],
    template: {
      ...(base.template as Record<string, unknown>),
      serviceAccount: "123456789012-compute@developer.gserviceaccount.com",
      containers: [
        {
          ...container,
          resources: { ...container.resources, cpuIdle: true, startupCpuBoost: true },
          startupProbe: {
            timeoutSeconds: 240,
            periodSeconds: 240,
            failureThreshold: 1,
            tcpSocket: { port: 8080 },
          },
        },
      ],
    },
    trafficStatuses: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }],
  } as unknown as IService;
}
