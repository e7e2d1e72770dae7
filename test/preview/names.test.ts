import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../deploy/core/errors.js";
import {
  previewId,
  previewNameProblems,
  previewNames,
  previewServiceName,
} from "../../deploy/preview/names.js";

const branchArb = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 300 }),
  fc.stringMatching(/^[a-zA-Z0-9/_.-]{1,120}$/),
);
const baseArb = fc.oneof(
  fc.constant("echogate-chat"),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,60}$/),
  fc.string(),
);

describe("preview names", () => {
  it("always produces valid ids, service names and channel ids", () => {
    fc.assert(
      fc.property(branchArb, baseArb, (branch, base) => {
        expect(previewNameProblems(previewNames(branch, base))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(branchArb, (branch) => {
        const first = previewId(branch);
        expect(previewId(`${branch}`)).toBe(first);
      }),
    );
  });

  it("never maps distinct branches to the same id", () => {
    fc.assert(
      fc.property(fc.uniqueArray(branchArb, { minLength: 2, maxLength: 200 }), (branches) => {
        expect(new Set(branches.map(previewId)).size).toBe(branches.length);
      }),
      { numRuns: 50 },
    );
  });

  it("keeps clean branch names as they are and hashes changed ones", () => {
    expect(previewId("login")).toBe("login");
    expect(previewId("feature-a")).toBe("feature-a");
    expect(previewId("feature/a")).toMatch(/^feature-a-[a-z0-9]{8}$/);
    expect(previewId("feature/a")).not.toBe(previewId("feature-a"));
    expect(previewId("feature/a")).not.toBe(previewId("Feature/A"));
    expect(previewId("feature/Login-Flow_v2")).toMatch(/^feature-log-[a-z0-9]{8}$/);
  });

  it("handles hostile input", () => {
    expect(previewId("////")).toMatch(/^b-[a-z0-9]{8}$/);
    expect(previewId("12345")).toMatch(/^b-12345-[a-z0-9]{8}$/);
    expect(previewId("🚀🚀")).toMatch(/^b-[a-z0-9]{8}$/);
    expect(previewId("a".repeat(300)).length).toBeLessThanOrEqual(20);
    expect(previewId("a".repeat(300))).not.toBe(previewId("a".repeat(299)));
    expect(() => previewId("")).toThrow(UsageError);
  });

  it("fits the service base and the candidate tag within Cloud Run limits", () => {
    const names = previewNames("feature/Login-Flow_v2", "echogate-chat-with-a-very-long-service-name");
    expect(names.service.length).toBeLessThanOrEqual(34);
    expect(names.service.endsWith(names.id)).toBe(true);
    expect(previewServiceName("9lives", "login")).toBe("login");
  });
});
