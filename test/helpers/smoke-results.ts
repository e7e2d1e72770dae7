import type { SmokeTarget } from "../../deploy/promote/plan-types.js";
import type { PromotionSmoke } from "../../deploy/promote/smoke-types.js";
import type { SmokeCheck } from "../../deploy/smoke/result.js";

/** What a stand-in gate returns: the runner's result shape with only the checks that matter to the test. */
export function smokeResult(
  url: string,
  target: SmokeTarget,
  checks: Array<Pick<SmokeCheck, "name" | "ok"> & Partial<SmokeCheck>>,
): PromotionSmoke {
  const full = checks.map(
    (check): SmokeCheck => ({
      status: check.ok ? "passed" : "failed",
      ms: 1,
      detail: check.ok ? "ok" : "failed",
      ...check,
    }),
  );
  return {
    ok: full.every((check) => check.ok),
    url,
    target,
    protocol: "ws-json",
    version: null,
    revision: null,
    notices: [],
    expectVersion: null,
    expectRevision: null,
    room: "test-room",
    nonce: "test-nonce",
    scenarios: [],
    ms: full.reduce((sum, check) => sum + check.ms, 0),
    checks: full,
    latencies: { healthMs: null, connectMs: {}, joinMs: {}, echoMs: {} },
  };
}
