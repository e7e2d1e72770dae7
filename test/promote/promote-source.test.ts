import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../deploy/config/load-environments.js";
import { toWireTraffic } from "../../deploy/platform/cloudrun/service-model.js";
import { artifactFromSource } from "../../deploy/promote/artifact.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

// What `promote` takes from its source environment, read from the real emulator: staging gets two
// gated deploys, then its traffic is split between them as a canary (or a hand edit) leaves it.

const STAGING = "echogate-chat-staging";
let first: TestImage;
let second: TestImage;

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  first = await makeImage(project.dir, { version: "0.1.0+first01" });
  second = await makeImage(project.dir, { version: "0.1.0+second1" });
  for (const image of [first, second]) {
    const deployed = await project.echogate("deploy", "staging", "--image", image.digest);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
  }
}, 60_000);

async function revisionsByDigest() {
  const revisions = await project.adapter.listRevisions(STAGING);
  const named = (image: TestImage) => revisions.find((r) => r.image?.endsWith(`@${image.digest}`))?.name;
  return { first: named(first)!, second: named(second)! };
}

const fromStaging = async () =>
  artifactFromSource(await loadEnvironment(project.dir, "staging"), project.adapter, "production", undefined);

describe("promote takes only what one gated revision serves in full", () => {
  it("staging served 100% by its passed revision: that revision's digest", async () => {
    expect(await fromStaging()).toMatchObject({ digest: second.digest, version: second.version });
  });

  it("a 90/10 split of two passed revisions is refused, naming the split", async () => {
    const names = await revisionsByDigest();
    expect(names.first).toBeDefined();
    await project.adapter.mutateService(STAGING, (raw) => {
      raw.traffic = toWireTraffic([
        { type: "REVISION", revision: names.first, percent: 90 },
        { type: "REVISION", revision: names.second, percent: 10 },
      ]);
      return raw;
    });
    const refused = fromStaging();
    await expect(refused).rejects.toThrow(
      /Can't promote to production: staging is not served by one revision/,
    );
    await expect(refused).rejects.toMatchObject({ code: "promote.not-gated", exitCode: 1 });
  });
});
