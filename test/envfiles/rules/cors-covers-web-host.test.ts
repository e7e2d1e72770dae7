import { describe, expect, it } from "vitest";
import { corsCoversWebHost } from "../../../deploy/envfiles/rules/cors-covers-web-host.js";
import {
  type EnvName,
  envFilePath,
  lineOfKey,
  ruleContext,
  validEnvProject,
  withEnv,
} from "../../helpers/env-fixtures.js";

const check = (env: EnvName, origins: string) =>
  corsCoversWebHost.check(ruleContext(withEnv(env, { ALLOWED_ORIGINS: origins })));
const codes = (env: EnvName, origins: string) => check(env, origins).map((p) => p.code);

describe("cors-covers-web-host", () => {
  it("passes when each environment allows its own web origins", () => {
    expect(corsCoversWebHost.check(ruleContext(validEnvProject()))).toEqual([]);
  });

  it("flags production allowing only staging's host, at the line", () => {
    const problems = check("production", "https://echogate-demo-staging.web.app");
    expect(problems[0]).toMatchObject({
      code: "cors-covers-web-host",
      file: envFilePath("production"),
      line: lineOfKey("ALLOWED_ORIGINS"),
      keyPath: "ALLOWED_ORIGINS",
    });
    expect(problems[0]!.message).toContain("https://echogate-demo.web.app");
  });

  it("warns when the firebaseapp.com twin is missing", () => {
    expect(check("production", "https://echogate-demo.web.app")).toMatchObject([
      { severity: "warning", code: "cors-covers-web-host.recommended" },
    ]);
  });

  it("accepts a preview channel origin matching the pattern, or ${WEB_ORIGIN}", () => {
    expect(codes("preview", "https://echogate-demo--pr-42-abc123.web.app")).toEqual([]);
    expect(codes("preview", "${WEB_ORIGIN}")).toEqual([]);
    expect(check("preview", "https://echogate-demo.web.app")[0]!.message).toContain(
      "https://echogate-demo--pr-42-<hash>.web.app",
    );
  });

  it("says what a browser sends when an origin is written with uppercase or a default port", () => {
    for (const written of ["https://Echogate-Demo.web.app", "https://echogate-demo.web.app:443"]) {
      const [problem] = check("production", `${written},https://echogate-demo.firebaseapp.com`);
      expect(problem!.message).toContain('browsers send this origin as "https://echogate-demo.web.app"');
      expect(problem!.message).not.toContain("no path");
    }
  });

  it("rejects entries that are not origins, warns on * and on local origins outside local", () => {
    expect(
      codes("production", "https://echogate-demo.web.app/app,https://echogate-demo.firebaseapp.com"),
    ).toEqual(["cors-covers-web-host.not-an-origin", "cors-covers-web-host"]);
    expect(codes("production", "*")).toEqual(["cors-covers-web-host.wildcard"]);
    expect(codes("local", "*")).toEqual([]);
    expect(
      codes(
        "production",
        `${"https://echogate-demo.web.app,https://echogate-demo.firebaseapp.com"},http://localhost:5173`,
      ),
    ).toEqual(["cors-covers-web-host.loopback"]);
  });

  it("ignores trailing slashes and spaces like the server does", () => {
    expect(
      codes("production", " https://echogate-demo.web.app/ , https://echogate-demo.firebaseapp.com "),
    ).toEqual([]);
  });
});
