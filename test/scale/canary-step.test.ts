import { describe, expect, it } from "vitest";
import type { ServiceSnapshot } from "../../deploy/platform/cloudrun/service-model.js";
import { canaryStep, smokeUrls } from "../../deploy/promote/canary-peers.js";
import { shiftedTraffic } from "../../deploy/promote/traffic-analysis.js";

const check = { target: "service" as const, expectVersion: "2.0.0", expectRevision: "new" };

describe("canary steps (pure)", () => {
  it("tags an untagged previous revision for the step and smokes both revisions", () => {
    const step = canaryStep(shiftedTraffic([], "new", "old", 10, "candidate"), "old", 10, check);
    expect(step.traffic).toEqual([
      { type: "REVISION", revision: "new", percent: 10, tag: "candidate" },
      { type: "REVISION", revision: "old", percent: 90, tag: "previous" },
    ]);
    expect(step.check).toEqual({ ...check, peer: { tag: "previous", revision: "old" } });
  });

  it("uses the previous revision's own tag when it has one", () => {
    const pinned = [{ type: "REVISION" as const, revision: "old", percent: 100, tag: "stable" }];
    const step = canaryStep(shiftedTraffic(pinned, "new", "old", 50, "candidate"), "old", 50, check);
    expect(step.traffic.filter((t) => t.tag === "previous")).toEqual([]);
    expect(step.check.peer).toEqual({ tag: "stable", revision: "old" });
  });

  it("the last step (100 %) drops the tag and smokes the service URL", () => {
    const step = canaryStep(shiftedTraffic([], "new", "old", 100, "candidate"), "old", 100, check);
    expect(step.traffic.some((t) => t.tag === "previous")).toBe(false);
    expect(step.check.peer).toBeUndefined();
  });

  it("resolves the candidate's and the previous revision's tag URLs for the smoke", () => {
    const latest = {
      uri: "http://127.0.0.1:1",
      trafficStatuses: [
        { type: "REVISION", revision: "new", percent: 10, tag: "candidate", uri: "http://127.0.0.1:2" },
        { type: "REVISION", revision: "old", percent: 90, tag: "previous", uri: "http://127.0.0.1:3" },
      ],
    } as unknown as ServiceSnapshot;
    const resolved = smokeUrls(
      { ...check, peer: { tag: "previous", revision: "old" } },
      latest,
      "candidate",
      undefined,
    );
    expect(resolved.url).toBe("http://127.0.0.1:2");
    expect(resolved.check.peer?.url).toBe("http://127.0.0.1:3");
  });
});
