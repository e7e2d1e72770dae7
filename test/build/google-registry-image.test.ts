import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { useLoopbackGoogle } from "../helpers/loopback-google.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DIGEST = `sha256:${"a".repeat(64)}`;

const google = useLoopbackGoogle();
let project = "";

beforeAll(async () => {
  project = await testdir(validEnvProject());
  await writeFile(
    join(project, "adc.json"),
    JSON.stringify({ type: "authorized_user", client_id: "x", client_secret: "y", refresh_token: "z" }),
  );
});

async function deploy(args: string[]) {
  const before = google.requests();
  const result = await execa(
    process.execPath,
    [join(ROOT, "bin/echogate.js"), "deploy", ...args, "--cwd", project],
    {
      reject: false,
      env: google.env({ GOOGLE_APPLICATION_CREDENTIALS: join(project, "adc.json"), HOME: project }),
      extendEnv: false,
      timeout: 60_000,
    },
  );
  return { ...result, requests: google.requests() - before };
}

describe("deploy to a Google endpoint needs an image Cloud Run can pull", () => {
  it.each([
    ["no --image (it would build into the local store)", []],
    ["a bare digest", ["--image", DIGEST]],
    ["a local store reference", ["--image", `local/echogate-server@${DIGEST}`]],
    [
      "a registry Cloud Run doesn't pull from",
      ["--image", `quay.io/team/chat@${DIGEST}`, "--version", "1.0.0"],
    ],
  ])("refuses %s with exit 2 before any API call", async (_case, args) => {
    const run = await deploy(["staging", ...args]);
    expect(run.stderr).toContain("on Google");
    expect(run.stderr).toContain("echogate build --push");
    expect(run.stderr).toContain("echogate build --cloud --env staging");
    expect(run.exitCode).toBe(2);
    expect(run.requests).toBe(0);
  });

  it("lets an Artifact Registry image through to the API (the counter sees what a call would send)", async () => {
    const run = await deploy([
      "staging",
      "--image",
      `europe-west1-docker.pkg.dev/echogate-demo/echogate/chat@${DIGEST}`,
      "--version",
      "1.0.0+abc1234",
    ]);
    expect(run.stderr).not.toContain("echogate build --push");
    expect(run.exitCode).toBe(3);
    expect(run.requests).toBeGreaterThan(0);
  });
});
