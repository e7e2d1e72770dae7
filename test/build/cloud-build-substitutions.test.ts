import { chmod, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloudBuildArgs, gcloudDictFlag } from "../../deploy/build/cloud-build.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

const request = {
  projectDir: "/tmp",
  project: "acme-project",
  region: "us-central1",
  service: "chat-staging",
  environment: "staging",
  version: "1.4.0+3f2a9c1",
};

/** gcloud's dict-flag reading (`gcloud topic escaping`): `^D^` first sets the delimiter D, else a comma. */
function parseLikeGcloud(flagValue: string): Record<string, string> {
  let text = flagValue;
  let delimiter = ",";
  const custom = /^\^([^^]+)\^/.exec(text);
  if (custom) {
    delimiter = custom[1]!;
    text = text.slice(custom[0].length);
  }
  return Object.fromEntries(
    text
      .split(delimiter)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

const substitutionsOf = (args: string[]) =>
  parseLikeGcloud(args.find((arg) => arg.startsWith("--substitutions="))!.slice("--substitutions=".length));

describe("the version in Cloud Build substitutions", () => {
  it.each(["1.0.0,_ENV=production", "1.0.0+abc,_SERVICE=other", "1.0.0 ; id", "v1.0.0", "1.0", "1.0.0+a+b"])(
    "refuses %j as a config error before gcloud runs",
    (version) => {
      expect(() => cloudBuildArgs({ ...request, version })).toThrow(
        expect.objectContaining({ exitCode: 2, code: "build.invalid-version" }),
      );
    },
  );

  it.each([
    "1.4.0+3f2a9c1",
    "1.4.0-rc.1+3f2a9c1.dirty.5d41402",
    "0.1.0+nogit",
    "2.0.0+abc.fault-exclude-sender",
  ])("accepts the versions echogate composes (%s), each substitution exactly one entry", (version) => {
    expect(substitutionsOf(cloudBuildArgs({ ...request, version }))).toEqual({
      _VERSION: version,
      _TAG: version.replace(/\+/g, "-"),
      _SERVICE: "chat-staging",
      _REGION: "us-central1",
      _ENV: "staging",
    });
  });

  it("escapes with gcloud's ^DELIM^ when a value holds a comma, so no value adds an entry", () => {
    const flag = gcloudDictFlag({ _A: "x,_B=y", _C: "z" });
    expect(flag.startsWith("^")).toBe(true);
    expect(parseLikeGcloud(flag)).toEqual({ _A: "x,_B=y", _C: "z" });
    expect(gcloudDictFlag({ _A: "x", _C: "z" })).toBe("_A=x,_C=z");
  });

  it("`echogate build --cloud` with a comma in package.json's version exits 2 and never calls gcloud", async () => {
    const cwd = await testdir({
      "package.json": JSON.stringify({ name: "app", version: "1.0.0,_ENV=production" }),
      "environments/staging.yaml":
        "kind: staging\nservice:\n  endpoint: google\n  project: acme-project\n  regions: [us-central1]\n  name: chat-staging\n  envFile: .env.staging\n",
      "bin/gcloud": `#!/bin/sh\necho called > "$(dirname "$0")/called.txt"\nexit 1\n`,
    });
    await chmod(join(cwd, "bin/gcloud"), 0o755);
    const run = await runEchogate(["build", "--cloud", "--env", "staging"], {
      cwd,
      env: { PATH: `${join(cwd, "bin")}:${process.env.PATH}` },
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("1.0.0,_ENV=production");
    expect(run.stderr).toContain("package.json");
    await expect(readFile(join(cwd, "bin/called.txt"))).rejects.toThrow(/ENOENT/);
  });
});
