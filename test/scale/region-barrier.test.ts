import { describe, expect, it } from "vitest";
import { RegionBarrier } from "../../deploy/promote/region-barrier.js";

describe("RegionBarrier", () => {
  it("holds a region at smoke k until every region passed smoke k", async () => {
    const barrier = new RegionBarrier(["a", "b"]);
    barrier.report("a", 0, true, "");
    let released = false;
    const waiting = barrier.wait("a", 0).then((blocker) => {
      released = true;
      return blocker;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    barrier.report("b", 0, true, "");
    expect(await waiting).toBeUndefined();
  });

  it("a region that already shifted learns at its next smoke that another failed (so it rolls back)", async () => {
    const barrier = new RegionBarrier(["a", "b"]);
    for (const region of ["a", "b"]) barrier.report(region, 0, true, "");
    barrier.report("a", 1, true, "");
    const a = barrier.wait("a", 1);
    barrier.report("b", 1, false, "echo: no message");
    expect(await a).toBe("region b failed: echo: no message");
    expect(await barrier.wait("b", 1)).toBeUndefined();
  });

  it("a region that fails before any smoke (start failure) releases the others with its reason", async () => {
    const barrier = new RegionBarrier(["a", "b"]);
    barrier.report("a", 0, true, "");
    const a = barrier.wait("a", 0);
    barrier.fail("b", "Revision x failed to start");
    expect(await a).toBe("region b failed: Revision x failed to start");
  });
});
