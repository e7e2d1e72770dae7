import { describe, expect, it } from "vitest";
import { serviceFacts, servingRevision } from "../../deploy/drift/collect/service-facts.js";
import { GATES_ANNOTATION } from "../../deploy/model/gate-records.js";
import type { IService } from "../../deploy/platform/cloudrun/service-model.js";

const record = (revision: string, result: "passed" | "failed") => ({
  revision,
  version: `v-${revision}`,
  digest: `sha256:${revision}`,
  result,
  at: "2026-11-23T10:00:00Z",
});

function split(records: ReturnType<typeof record>[]): IService {
  return {
    name: "projects/p/locations/us-central1/services/chat",
    uri: "https://chat.example",
    latestReadyRevision: "projects/p/locations/us-central1/services/chat/revisions/chat-bad",
    annotations: { [GATES_ANNOTATION]: JSON.stringify(records) },
    trafficStatuses: [
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "chat-good", percent: 60 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "chat-bad", percent: 40 },
    ],
  } as unknown as IService;
}

describe("serviceFacts: the gate of every revision taking traffic", () => {
  it("lists a share going to a revision whose gate failed or that has no record", () => {
    const service = split([record("chat-good", "passed"), record("chat-bad", "failed")]);
    const serving = servingRevision(service);
    expect(serving).toMatchObject({ revision: "chat-good", percent: 60 });
    const facts = serviceFacts(service, serving, {}, new Set());
    expect(facts.gate).toMatchObject({
      result: "passed",
      ungatedShares: [{ revision: "chat-bad", percent: 40, result: "failed" }],
    });
    const unrecorded = serviceFacts(split([record("chat-good", "passed")]), serving, {}, new Set());
    expect(unrecorded.gate?.ungatedShares).toEqual([{ revision: "chat-bad", percent: 40, result: "none" }]);
  });

  it("has no such list when every revision with traffic passed", () => {
    const service = split([record("chat-good", "passed"), record("chat-bad", "passed")]);
    const facts = serviceFacts(service, servingRevision(service), {}, new Set());
    expect(facts.gate?.ungatedShares).toBeUndefined();
  });
});
