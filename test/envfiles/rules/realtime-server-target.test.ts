import { describe, expect, it } from "vitest";
import { realtimeServerTarget } from "../../../deploy/envfiles/rules/realtime-server-target.js";
import {
  type EnvName,
  envFilePath,
  lineOfKey,
  ruleContext,
  SERVER_URLS,
  validEnvProject,
  withEnv,
} from "../../helpers/env-fixtures.js";

const check = (env: EnvName, url: string) =>
  realtimeServerTarget.check(
    ruleContext(withEnv(env, { NEXT_PUBLIC_SIGNALING_SERVER: url, SIGNALING_SERVER_URL: url })),
  );

describe("realtime-server-target", () => {
  it("passes when each environment points at its own server", () => {
    expect(realtimeServerTarget.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("flags production holding staging's Cloud Run host, and only production", () => {
    const problems = check("production", SERVER_URLS.staging);
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

  it("doesn't let a shorter service name claim a longer one's host", () => {
    // production's service is echogate-chat; staging's echogate-chat-staging host must not count as production's.
    expect(check("staging", SERVER_URLS.staging)).toEqual([]);
    expect(check("staging", SERVER_URLS.production)[0]!.message).toContain("production's realtime server");
  });

  it("flags two environments sharing a custom-domain host", () => {
    const problems = realtimeServerTarget.check(
      ruleContext({
        ...withEnv("staging", { NEXT_PUBLIC_SIGNALING_SERVER: "wss://chat.example.com" }),
        [envFilePath("production")]: withEnv("production", {
          NEXT_PUBLIC_SIGNALING_SERVER: "wss://chat.example.com",
        })[envFilePath("production")]!,
      }),
    );
    expect(problems.map((p) => p.file).sort()).toEqual([envFilePath("production"), envFilePath("staging")]);
  });

  it("flags loopback and plain ws:// outside local, but allows them in local", () => {
    expect(check("staging", "wss://127.0.0.1:8080").map((p) => p.code)).toEqual([
      "realtime-server-target.loopback",
    ]);
    expect(check("local", "ws://localhost:9999")).toEqual([]);
  });

  it("checks TLS itself only when the schema declares no protocols", () => {
    const files = withEnv("staging", {
      NEXT_PUBLIC_SIGNALING_SERVER: "ws://echogate-chat-staging-x-uc.a.run.app",
    });
    const schema = String(files["environments/env.schema.yaml"]).replace(
      "    protocols: { local: [ws, wss], default: [wss] }\n",
      "",
    );
    const problems = realtimeServerTarget.check(
      ruleContext({ ...files, "environments/env.schema.yaml": schema }),
    );
    expect(problems.map((p) => p.code)).toEqual(["realtime-server-target.insecure"]);
    expect(problems[0]!.hint).toContain("wss://echogate-chat-staging-x-uc.a.run.app");
  });

  it("accepts ${SERVICE_URL}: it can only mean this environment", () => {
    expect(check("production", "${SERVICE_URL}")).toEqual([]);
  });
});
