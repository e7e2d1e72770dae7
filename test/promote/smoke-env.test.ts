import { beforeAll, describe, expect, it } from "vitest";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

let image: TestImage;

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  image = await makeImage(project.dir, { version: "0.1.0+ccccccc" });
}, 30_000);

describe("echogate smoke --env", () => {
  it("finds the environment's live URL through the Cloud Run API and gates it", async () => {
    const deployed = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
    expect(deployed.exitCode, deployed.stdout).toBe(0);
    const url = deployed.json<{ outcome: { url: string } }>().outcome.url;

    const pass = await project.echogate(
      "smoke",
      "--env",
      "staging",
      "--expect-version",
      image.version,
      "--json",
    );
    expect(pass.exitCode, pass.stdout).toBe(0);
    expect(pass.json<{ url: string; version: string }>()).toMatchObject({ url, version: image.version });

    const wrong = await project.echogate("smoke", "--env", "staging", "--expect-version", "9.9.9+fffffff");
    expect(wrong.exitCode).toBe(1);

    // Without --expect-version: what the serving revision's gate recorded is what must answer.
    const recorded = await project.echogate("smoke", "--env", "staging", "--json");
    expect(recorded.exitCode, recorded.stdout).toBe(0);
    const revision = deployed.json<{ outcome: { revision: string } }>().outcome.revision;
    expect(recorded.json()).toMatchObject({
      expectVersion: image.version,
      expectRevision: revision,
      version: image.version,
      revision,
    });
  });

  it("refuses with exit 1 when the environment has no service yet", async () => {
    const run = await project.echogate("smoke", "--env", "production");
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("echogate-chat-production does not exist");
    expect(run.stderr).toContain("echogate promote production");
  });
});
