import { describe, expect, it } from "vitest";
import { formatTraffic } from "../../deploy/platform/cloudrun/service-model.js";

describe("formatTraffic (the one traffic formatter)", () => {
  it("lists the shares with traffic, then every tag and where it points", () => {
    expect(
      formatTraffic([
        { type: "REVISION", revision: "r2", percent: 10, tag: "candidate" },
        { type: "REVISION", revision: "r1", percent: 90 },
        { type: "REVISION", revision: "r0", percent: 0, tag: "old" },
      ]),
    ).toBe("r2 10%, r1 90% (tag candidate→r2, tag old→r0)");
  });

  it("names LATEST and says when nothing has traffic", () => {
    expect(formatTraffic([{ type: "LATEST", percent: 100 }])).toBe("LATEST 100%");
    expect(formatTraffic([])).toBe("no traffic");
    expect(formatTraffic([{ type: "REVISION", revision: "r1", percent: 0, tag: "x" }])).toBe(
      "no traffic (tag x→r1)",
    );
  });

  it("adds a note after each share (the plan's gate per revision)", () => {
    const split = [
      { revision: "r1", percent: 60, gate: "passed" },
      { revision: "r0", percent: 40, gate: "none" },
    ];
    expect(formatTraffic(split, (s) => `[gate ${s.gate}]`)).toBe("r1 60% [gate passed], r0 40% [gate none]");
  });
});
