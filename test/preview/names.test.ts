import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../deploy/core/errors.js";
import {
  branchNameProblem,
  PREVIEW_SERVICE_MAX_LENGTH,
  previewId,
  previewNameProblems,
  previewNames,
  previewServiceName,
} from "../../deploy/preview/names.js";

/** Branch names git accepts (only those can name a preview). */
const branchArb = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 }),
    fc.string({ unit: "binary", minLength: 1, maxLength: 250 }),
    fc.stringMatching(/^[a-zA-Z0-9/_.-]{1,120}$/),
  )
  .filter((branch) => branchNameProblem(branch) === undefined);
const cleanBranchArb = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,4}$/);
const baseArb = fc.oneof(
  fc.constant("echogate-chat-preview"),
  fc.constant("echogate-chat"),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,60}$/),
  fc.string(),
);
/** Pairs that differ only by a prefix, a suffix, case or separators: where truncation used to merge them. */
const nearPairArb = fc.oneof(
  fc.tuple(branchArb, branchArb),
  fc
    .tuple(cleanBranchArb, fc.stringMatching(/^[a-z]{1,8}$/))
    .map(([branch, word]) => [branch, `${word}-${branch}`] as const),
  fc
    .tuple(cleanBranchArb, fc.stringMatching(/^[a-z0-9]{1,8}$/))
    .map(([branch, word]) => [branch, `${branch}-${word}`] as const),
  cleanBranchArb.map((branch) => [branch, branch.replaceAll("-", "/")] as const),
  cleanBranchArb.map((branch) => [branch, branch.toUpperCase()] as const),
);

describe("preview names", () => {
  it.each([
    "..",
    "/",
    "../../x",
    "a b",
    "feature/x.lock",
    "@",
    "a//b",
    "-x",
    "feat/.hidden",
    "a~1",
    "x:y",
    "end.",
  ])("refuses %j, a branch name git refuses", (branch) => {
    expect(branchNameProblem(branch)).toBeDefined();
    expect(() => previewNames(branch, "echogate-chat-preview")).toThrow(UsageError);
  });

  it.each(["feature/login", "dependabot/npm_and_yarn/ws-8.18.0", "UPPER-case", "fix/ü-umlaut", "v1.2"])(
    "accepts %j",
    (branch) => {
      expect(branchNameProblem(branch)).toBeUndefined();
    },
  );

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
      fc.property(branchArb, baseArb, (branch, base) => {
        expect(previewNames(`${branch}`, `${base}`)).toEqual(previewNames(branch, base));
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

  it("never maps two distinct branches to the same service or channel", () => {
    fc.assert(
      fc.property(nearPairArb, baseArb, ([a, b], base) => {
        fc.pre(a !== b);
        const first = previewNames(a, base);
        const second = previewNames(b, base);
        expect(second.service).not.toBe(first.service);
        expect(second.channel).not.toBe(first.channel);
      }),
      { numRuns: 5000 },
    );
  });

  it("keeps apart the pairs QA found merged by a base cut to fit the branch", () => {
    const pairs = [
      ["fix-login-timeout", "pr-fix-login-timeout"],
      ["abcdefghijklm", "previe-abcdefghijklm"],
    ];
    for (const [a, b] of pairs) {
      for (const base of ["echogate-chat-preview", "echogate-chat-with-a-very-long-service-name"]) {
        expect(previewServiceName(b!, base)).not.toBe(previewServiceName(a!, base));
      }
    }
  });

  it("cuts the base to a length independent of the branch, so it never names another environment's service", () => {
    fc.assert(
      fc.property(branchArb, (branch) => {
        expect(previewServiceName(branch, "echogate-chat-preview")).toMatch(/^echogate-chat-preview-/);
      }),
    );
    expect(previewServiceName("production", "echogate-chat-preview")).toBe(
      "echogate-chat-preview-production",
    );
    const long = "echogate-chat-with-a-very-long-service-name";
    const prefixes = ["a", "fix-login-timeout", "x".repeat(40)].map((b) =>
      previewServiceName(b, long).slice(0, 21),
    );
    expect(new Set(prefixes)).toEqual(new Set(["echogate-chat-with-a-"]));
  });

  it("never derives a reserved channel id (the site's live channel)", () => {
    expect(previewId("live")).not.toBe("live");
    expect(previewId("live")).toMatch(/^live-[a-z0-9]{15}$/);
    expect(
      previewNameProblems({ id: "live", service: "echogate-chat-preview-live", channel: "live" }),
    ).toEqual(["channel 'live' is reserved by Firebase Hosting"]);
    fc.assert(
      fc.property(branchArb, (branch) => {
        expect(previewId(branch)).not.toBe("live");
      }),
    );
  });

  it("can't be given another branch's hashed id by naming a branch after it", () => {
    for (const branch of ["feature/a", "Fix", "a".repeat(300)]) {
      const hashedId = previewId(branch);
      expect(previewId(hashedId)).not.toBe(hashedId);
      const serviceBranchPart = previewServiceName(branch, "echogate-chat-preview").slice(
        "echogate-chat-preview-".length,
      );
      expect(previewServiceName(serviceBranchPart, "echogate-chat-preview")).not.toBe(
        previewServiceName(branch, "echogate-chat-preview"),
      );
    }
  });

  it("keeps clean branch names as they are and hashes changed ones", () => {
    expect(previewId("login")).toBe("login");
    expect(previewId("feature-a")).toBe("feature-a");
    expect(previewId("feature/a")).toMatch(/^feature-a-[a-z0-9]{10}$/);
    expect(previewId("feature/a")).not.toBe(previewId("feature-a"));
    expect(previewId("feature/a")).not.toBe(previewId("Feature/A"));
    expect(previewId("feature/Login-Flow_v2")).toMatch(/^feature-log-[a-z0-9]{8}$/);
  });

  it("handles hostile input", () => {
    expect(() => previewId("////")).toThrow(UsageError);
    expect(previewId("__")).toMatch(/^b-[a-z0-9]{18}$/);
    expect(previewId("12345")).toMatch(/^b-12345-[a-z0-9]{12}$/);
    expect(previewId("🚀🚀")).toMatch(/^b-[a-z0-9]{18}$/);
    expect(previewId("a".repeat(300)).length).toBeLessThanOrEqual(20);
    expect(previewId("a".repeat(300))).not.toBe(previewId("a".repeat(299)));
    expect(() => previewId("")).toThrow(UsageError);
    expect(() => previewServiceName("", "echogate-chat-preview")).toThrow(UsageError);
  });

  it("fits the service base and the candidate tag within Cloud Run limits", () => {
    expect(previewServiceName("login", "echogate-chat-preview")).toBe("echogate-chat-preview-login");
    const names = previewNames("feature/Login-Flow_v2", "echogate-chat-with-a-very-long-service-name");
    expect(names.service).toMatch(/^echogate-chat-with-a-feat-[a-z0-9]{8}$/);
    expect(names.service.length).toBe(PREVIEW_SERVICE_MAX_LENGTH);
    expect(previewServiceName("login", "9lives")).toBe("login");
  });
});
