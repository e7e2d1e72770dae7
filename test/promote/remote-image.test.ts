import { beforeAll, describe, expect, it } from "vitest";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { echogate } from "../helpers/project.js";

const REMOTE_DIGEST = `sha256:${"cd".repeat(32)}`;
const REMOTE = `us-central1-docker.pkg.dev/acme/echogate/echogate-server@${REMOTE_DIGEST}`;

let local: TestImage;

const project = useEmulatedProject();
beforeAll(async () => {
  local = await makeImage(project.dir, { version: "0.1.0+ddddddd" });
}, 30_000);

type Plan = { plan: { artifact: { imageRef: string; version: string; digest: string } } };

describe("deploy --image built elsewhere (Cloud Build)", () => {
  it("plans the pushed reference with the version given, as cloudbuild.yaml's gate step does", async () => {
    const run = await project.echogate(
      "deploy",
      "staging",
      "--image",
      REMOTE,
      "--version",
      "0.2.0+1234567",
      "--dry-run",
      "--json",
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.json<Plan>().plan.artifact).toMatchObject({
      imageRef: REMOTE,
      digest: REMOTE_DIGEST,
      version: "0.2.0+1234567",
    });
  });

  it("refuses a pushed image without --version before any API call, saying what to pass", async () => {
    const run = await echogate(
      project.dir,
      { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9" },
      "deploy",
      "staging",
      "--image",
      REMOTE,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--version");
  });

  it("refuses a --version that contradicts the stored image's manifest", async () => {
    const run = await project.echogate(
      "deploy",
      "staging",
      "--image",
      local.digest,
      "--version",
      "9.9.9+0000000",
      "--dry-run",
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("0.1.0+ddddddd");
  });
});
