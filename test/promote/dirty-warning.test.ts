import { describe, expect, it } from "vitest";
import { dirtyBuildWarning } from "../../deploy/cli/run-promotion-command.js";

describe("a build from uncommitted changes reaching production", () => {
  it("is warned about at promote and deploy to production only, never for a clean version", () => {
    expect(dirtyBuildWarning("1.2.0+abc1234.dirty.9f8e7d6", "production", "promote")).toMatch(
      /^1\.2\.0\+abc1234\.dirty\.9f8e7d6 was built from uncommitted changes \(\.dirty\): no commit holds the code this promotion ships to production/,
    );
    expect(dirtyBuildWarning("1.2.0+abc1234.dirty", "production", "deploy")).toContain("this deploy ships");
    expect(dirtyBuildWarning("1.2.0+abc1234.dirty.9f8e7d6", "staging", "deploy")).toBeUndefined();
    expect(dirtyBuildWarning("1.2.0+abc1234", "production", "promote")).toBeUndefined();
    expect(dirtyBuildWarning("2.0.0-dirtyfix", "production", "promote")).toBeUndefined();
  });
});
