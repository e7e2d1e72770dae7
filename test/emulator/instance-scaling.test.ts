import { describe, expect, it } from "vitest";
import { diagnoseCrossing } from "../../deploy/smoke/echo/cross-diagnosis.js";
import {
  affinityFromCookie,
  chooseInstance,
  durationMs,
  scalingOf,
} from "../../packages/emulator/src/instance-scaling.js";

const scaling = { concurrency: 2, maxInstances: 3, sessionAffinity: true };
const first = () => 0;

describe("instance choice", () => {
  it("honours the affinity cookie while its instance has room", () => {
    const loads = [
      { id: "a", active: 0 },
      { id: "b", active: 1 },
    ];
    expect(chooseInstance(loads, scaling, "b", first)).toEqual({ kind: "use", id: "b" });
    expect(chooseInstance(loads, { ...scaling, sessionAffinity: false }, "b", first)).toEqual({
      kind: "use",
      id: "a",
    });
    expect(
      chooseInstance(
        [
          { id: "a", active: 0 },
          { id: "b", active: 2 },
        ],
        scaling,
        "b",
        first,
      ),
    ).toEqual({
      kind: "use",
      id: "a",
    });
  });

  it("starts another instance when all are at concurrency, until maxInstances; then it is full", () => {
    const full = [
      { id: "a", active: 2 },
      { id: "b", active: 2 },
    ];
    expect(chooseInstance(full, scaling, undefined, first)).toEqual({ kind: "scale-out" });
    expect(chooseInstance(full, { ...scaling, maxInstances: 2 }, undefined, first)).toEqual({ kind: "full" });
    expect(chooseInstance([], { ...scaling, maxInstances: 2 }, undefined, first)).toEqual({
      kind: "scale-out",
    });
  });

  it("keeps no instance for min 0 (scale to zero) and at most maxInstances", () => {
    const spec = { labels: {}, annotations: {}, containers: [], timeout: "300s" };
    expect(scalingOf({ ...spec, scaling: { maxInstanceCount: 3 } }).minInstances).toBe(0);
    expect(scalingOf({ ...spec, scaling: { minInstanceCount: 5, maxInstanceCount: 3 } }).minInstances).toBe(
      3,
    );
  });

  it("reads Cloud Run's template fields and cookie", () => {
    expect(
      scalingOf({
        labels: {},
        annotations: {},
        containers: [],
        scaling: { minInstanceCount: 2, maxInstanceCount: 4 },
        timeout: "2.5s",
        maxInstanceRequestConcurrency: 10,
        sessionAffinity: true,
      }),
    ).toEqual({ minInstances: 2, maxInstances: 4, concurrency: 10, timeoutMs: 2500, sessionAffinity: true });
    expect(durationMs("300s")).toBe(300_000);
    expect(affinityFromCookie("x=1; GAESA=abc; y=2")).toBe("abc");
  });
});

describe("cross-placement diagnosis", () => {
  it("names the sender's and the missing receiver's places when only the sender's place got it", () => {
    expect(
      diagnoseCrossing(
        [
          { client: "smoke-1", ms: 3, where: "instance a" },
          { client: "smoke-2", ms: null, where: "instance b" },
        ],
        800,
      ),
    ).toBe(
      "sender on instance a, receiver smoke-2 on instance b never got it within 800 ms: no shared broadcast (backplane) across instances",
    );
  });

  it("says nothing about a backplane when nobody got the message or the receiver's connection dropped", () => {
    const none = [
      { client: "smoke-1", ms: null, where: "instance a" },
      { client: "smoke-2", ms: null, where: "instance b" },
    ];
    expect(diagnoseCrossing(none, 800)).toBeUndefined();
    expect(
      diagnoseCrossing(
        [
          { client: "smoke-1", ms: 2, where: "instance a" },
          { ...none[1]!, closed: "code 1006" },
        ],
        800,
      ),
    ).toBeUndefined();
  });
});
