import type { EnvironmentStatus } from "../../deploy/promote/status.js";

/** A `status` row of a healthy production environment serving one passed revision, with `overrides`. */
export function statusRow(overrides: Partial<EnvironmentStatus> = {}): EnvironmentStatus {
  return {
    environment: "production",
    kind: "production",
    endpoint: "local",
    region: "us-central1",
    service: "chat-production",
    exists: true,
    url: "https://chat-production-x.a.run.app",
    revision: "chat-good",
    version: "1.0.0+abc",
    digest: `sha256:${"a".repeat(64)}`,
    split: [],
    traffic: [],
    gate: { result: "passed", at: "2026-11-23T10:00:00Z" },
    since: null,
    ageS: 60,
    lock: null,
    ready: "True",
    access: "public",
    instances: null,
    error: null,
    ...overrides,
  };
}
