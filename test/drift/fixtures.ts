import type { DeclaredEnvironment, DriftFacts, TargetFacts } from "../../deploy/drift/facts.js";

// Plain-data builders for pure rule tests: a clean three-environment picture, changed per case.

export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;

export function declared(name: string, overrides: Partial<DeclaredEnvironment> = {}): DeclaredEnvironment {
  const file = `environments/${name}.yaml`;
  return {
    name,
    kind: name === "production" ? "production" : name === "staging" ? "staging" : "local",
    file,
    live: true,
    endpoint: "local",
    project: "demo",
    regions: ["europe-west1"],
    service: `chat-${name}`,
    promotesFrom: name === "production" ? "staging" : undefined,
    maxInstances: 1,
    pollingAllowed: false,
    pollingReason: undefined,
    locate: (key) => {
      const line = { envFile: 6, requestTimeoutS: 7, maxInstances: 8, sessionAffinity: 9 }[key as string];
      return line ? { file, line, keyPath: `service.${key}` } : { file };
    },
    envFile: {
      file: `environments/.env.${name}`,
      readable: true,
      keys: [
        { key: "BUILD_TARGET", line: 1 },
        { key: "LOG_LEVEL", line: 2 },
      ],
    },
    hosting: undefined,
    ...overrides,
  };
}

export function target(environment: string, overrides: Partial<TargetFacts> = {}): TargetFacts {
  return {
    column: environment,
    environment,
    region: "europe-west1",
    service: `chat-${environment}`,
    status: "ok",
    uri: `http://127.0.0.1:1000${environment.length}`,
    servingRevision: `chat-${environment}-00001-abc`,
    servingPercent: 100,
    image: `local/chat@${DIGEST_A}`,
    digest: DIGEST_A,
    recordedVersion: "1.0.0+abc1234",
    command: [],
    args: [],
    env: [
      { key: "BUILD_TARGET", value: `sha256:${environment.padEnd(12, "0").slice(0, 12)}`, secret: false },
      { key: "SESSION_SECRET", value: "***", secret: true },
    ],
    settings: {
      port: 8080,
      concurrency: 80,
      cpu: "1",
      memory: "512Mi",
      timeoutSeconds: 3600,
      minInstances: 0,
      maxInstances: 1,
      sessionAffinity: true,
    },
    gate: { result: "passed", at: "2025-01-01T00:00:00Z", version: "1.0.0+abc1234" },
    passedDigests: [DIGEST_A],
    health: { status: "ok", url: "http://x/health", httpStatus: 200, version: "1.0.0+abc1234", ms: 3 },
    ...overrides,
  };
}

export function driftFacts(overrides: Partial<DriftFacts> = {}): DriftFacts {
  const names = ["local", "staging", "production"];
  const entry = (file: string, line: number) => ({
    entry: "server/src/main.ts",
    file,
    line,
    detail: `${file} runs server/src/main.ts`,
    trace: [],
  });
  return {
    mode: "live",
    collectedAt: "2025-01-01T00:00:00Z",
    environments: names.map((name) => declared(name)),
    targets: names.map((name) => target(name)),
    source: {
      dockerfile: entry("Dockerfile.minimal", 12),
      devScript: entry("package.json", 18),
      cloudbuild: entry("cloudbuild.yaml", 25),
      absent: [],
    },
    envSchema: {
      file: "environments/env.schema.yaml",
      secretKeys: ["SESSION_SECRET"],
      environmentSpecificKeys: ["PORT"],
    },
    ms: 1,
    ...overrides,
  };
}

/** Replaces one target of the default facts. */
export function withTarget(
  facts: DriftFacts,
  environment: string,
  overrides: Partial<TargetFacts>,
): DriftFacts {
  return {
    ...facts,
    targets: facts.targets.map((t) => (t.environment === environment ? { ...t, ...overrides } : t)),
  };
}
