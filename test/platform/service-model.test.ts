import { describe, expect, it } from "vitest";
import { toServiceSnapshot } from "../../deploy/platform/cloudrun/service-model.js";
import { googleShapedService } from "../drift/google-shapes.js";

// Cloud Run names no revision on a LATEST traffic status; every reader of the snapshot (smoke's
// gated version, live services for the bundle scan, canary peers) needs to know which it is.

describe("toServiceSnapshot on Cloud Run's shapes", () => {
  it("names the latest ready revision on a LATEST traffic status that carries none", () => {
    const snapshot = toServiceSnapshot(googleShapedService());
    expect(snapshot.trafficStatuses).toEqual([{ type: "LATEST", revision: "chat-00002-xyz", percent: 100 }]);
    expect(snapshot.traffic).toEqual([{ type: "LATEST", percent: 100 }]);
  });

  it("keeps a LATEST status without revision when no revision is ready yet", () => {
    const service = { ...googleShapedService(), latestReadyRevision: "" };
    expect(toServiceSnapshot(service).trafficStatuses).toEqual([{ type: "LATEST", percent: 100 }]);
  });
});
