import { describe, expect, it } from "vitest";
import { formatDuration } from "../../deploy/core/duration.js";

describe("formatDuration (the one duration formatter, milliseconds in)", () => {
  it("keeps a unit's precision below ten of it and whole values whole", () => {
    expect([0, 0.4215, 5, 9.5, 87.4, 999.4, 999.6, 4200, 5000, 9_960, 42_000].map(formatDuration)).toEqual([
      "0s",
      "0.42 ms",
      "5 ms",
      "9.50 ms",
      "87 ms",
      "999 ms",
      "1s",
      "4.2s",
      "5s",
      "10s",
      "42s",
    ]);
  });

  it("prints ages as minutes, hours and days", () => {
    const minute = 60_000;
    expect([5 * minute, 65 * minute, (3 * 24 * 60 + 4 * 60 + 59) * minute].map(formatDuration)).toEqual([
      "5m",
      "1h 5m",
      "3d 4h",
    ]);
  });

  it("counts a negative duration (a deadline already past) as zero", () => {
    expect(formatDuration(-1500)).toBe("0s");
  });
});
