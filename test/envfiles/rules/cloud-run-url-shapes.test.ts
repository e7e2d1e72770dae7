import { describe, expect, it } from "vitest";
import { realtimeServerTarget } from "../../../deploy/envfiles/rules/realtime-server-target.js";
import { type EnvName, envFilePath, lineOfKey, ruleContext, withEnv } from "../../helpers/env-fixtures.js";
import { runEchogate } from "../../helpers/run-cli.js";
import { testdir } from "../../helpers/testdir.js";

// Cloud Run gives a service two URL shapes: NAME-HASH-REGIONCODE.a.run.app and
// NAME-PROJECTNUMBER.REGION.run.app. Both must be recognised as that service's.
const SHAPES = {
  hashed: (service: string) => `wss://${service}-f6g7h8i9j0-uc.a.run.app`,
  numbered: (service: string) => `wss://${service}-123456789012.us-central1.run.app`,
};

const pointing = (env: EnvName, url: string) =>
  withEnv(env, { NEXT_PUBLIC_SIGNALING_SERVER: url, SIGNALING_SERVER_URL: url });

describe.each(Object.entries(SHAPES))("realtime-server-target, %s Cloud Run URLs", (_shape, urlOf) => {
  it("flags production pointing at staging's service, at the line", () => {
    const problems = realtimeServerTarget.check(
      ruleContext(pointing("production", urlOf("echogate-chat-staging"))),
    );
    expect(problems).toMatchObject([
      {
        code: "realtime-server-target.other-environment",
        file: envFilePath("production"),
        line: lineOfKey("NEXT_PUBLIC_SIGNALING_SERVER"),
        keyPath: "NEXT_PUBLIC_SIGNALING_SERVER",
      },
    ]);
    expect(problems[0]!.message).toContain("staging's realtime server");
  });

  it("flags it also written with a trailing dot (the same host to a browser)", () => {
    const url = urlOf("echogate-chat-staging").replace(".run.app", ".run.app.");
    const problems = realtimeServerTarget.check(ruleContext(pointing("production", url)));
    expect(problems.map((p) => p.code)).toContain("realtime-server-target.other-environment");
  });

  it("accepts an environment pointing at its own service", () => {
    expect(
      realtimeServerTarget.check(ruleContext(pointing("staging", urlOf("echogate-chat-staging")))),
    ).toEqual([]);
    expect(realtimeServerTarget.check(ruleContext(pointing("production", urlOf("echogate-chat"))))).toEqual(
      [],
    );
  });
});

it("`echogate check` fails when production points at wss://<staging-service>-123456789012.us-central1.run.app", async () => {
  const cwd = await testdir(pointing("production", SHAPES.numbered("echogate-chat-staging")));
  const run = await runEchogate(["check"], { cwd });
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toContain(
    `error[realtime-server-target.other-environment] ${envFilePath("production")}:3`,
  );
});
