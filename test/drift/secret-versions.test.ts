import { describe, expect, it } from "vitest";
import { serviceFacts, servingRevision } from "../../deploy/drift/collect/service-facts.js";
import { SECRET_CELL } from "../../deploy/drift/collect/value-digest.js";
import type { IService } from "../../deploy/platform/cloudrun/service-model.js";

const service = {
  name: "projects/p/locations/us-central1/services/chat",
  trafficStatuses: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "chat-1", percent: 100 }],
} as unknown as IService;

const revisionWith = (env: unknown[]) => ({ containers: [{ image: "x", env }] }) as never;

describe("drift facts of secret variables", () => {
  it("are the pinned secret version, never a value", () => {
    const facts = serviceFacts(
      service,
      servingRevision(service),
      revisionWith([
        {
          name: "SESSION_SECRET",
          valueSource: { secretKeyRef: { secret: "projects/p/secrets/chat-SESSION_SECRET", version: "3" } },
        },
        { name: "API_TOKEN", value: "plain-secret-value-123" },
        { name: "LOG_LEVEL", value: "info" },
      ]),
      new Set(["API_TOKEN"]),
    );
    const byKey = Object.fromEntries((facts.env ?? []).map((e) => [e.key, e]));
    expect(byKey.SESSION_SECRET).toEqual({
      key: "SESSION_SECRET",
      value: "projects/p/secrets/chat-SESSION_SECRET@3",
      secret: true,
    });
    expect(byKey.API_TOKEN!.value).toBe(SECRET_CELL);
    expect(JSON.stringify(facts)).not.toContain("plain-secret-value-123");
  });

  it("differ when two revisions pin different versions", () => {
    const facts = (version: string) =>
      serviceFacts(
        service,
        servingRevision(service),
        revisionWith([{ name: "S", valueSource: { secretKeyRef: { secret: "s", version } } }]),
        new Set(),
      ).env?.[0]?.value;
    expect(facts("3")).not.toBe(facts("4"));
    expect(facts("3")).toBe(facts("3"));
  });
});
