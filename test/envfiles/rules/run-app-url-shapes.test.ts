import { describe, expect, it } from "vitest";
import { realtimeServerTarget } from "../../../deploy/envfiles/rules/realtime-server-target.js";
import { ruleContext, withEnv } from "../../helpers/env-fixtures.js";

// Cloud Run gives a service two URL shapes; a rule that knows only `*.a.run.app` lets production
// point at staging through the deterministic one (found by `npm run mutate`).
describe("realtime-server-target on both Cloud Run URL shapes", () => {
  it("flags production pointing at staging's <service>-<project-number>.<region>.run.app URL", () => {
    const url = "wss://echogate-chat-staging-123456789012.us-central1.run.app";
    const problems = realtimeServerTarget.check(
      ruleContext(withEnv("production", { NEXT_PUBLIC_SIGNALING_SERVER: url, SIGNALING_SERVER_URL: url })),
    );
    expect(problems.map((p) => p.code)).toContain("realtime-server-target.other-environment");
    expect(problems[0]!.message).toContain("staging's realtime server");
  });
});
